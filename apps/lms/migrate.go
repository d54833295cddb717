package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"bellwork.dev/bellwork/apps/lms/internal/migrations"
)

func migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	url := fs.String("database-url", "", "tenant database URL as its owner role, connecting directly (not through a pooler)")
	phase := fs.String("phase", "expand", "expand: additive migrations only; contract: also those that remove what the previous release used")
	logFormat := fs.String("log-format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("--database-url is required")
	}
	p, err := migrations.ParsePhase(*phase)
	if err != nil {
		return err
	}
	res, err := migrations.Run(ctx, *url, p, newLogger(*logFormat))
	if err != nil {
		return err
	}
	fmt.Printf("Applied %d migration(s) (%s phase).\n", len(res.Applied), p)
	for _, name := range res.Applied {
		fmt.Println("  " + name)
	}
	return nil
}
