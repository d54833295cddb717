package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"bellwork.dev/bellwork/apps/lms/internal/migrations"
	"bellwork.dev/bellwork/pkg/directory"
)

// tenantEntryEnv carries a tenant's directory entry into a migration Job:
// the operator maps it from the tenant's directory Secret.
const tenantEntryEnv = "BELLWORK_TENANT_ENTRY"

func migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	url := fs.String("database-url", "", "tenant database URL as its owner role, connecting directly (not through a pooler); default: the owner connection of the directory entry in $"+tenantEntryEnv)
	phase := fs.String("phase", "expand", "expand: additive migrations only; contract: also those that remove what the previous release used")
	logFormat := fs.String("log-format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := migrations.ParsePhase(*phase)
	if err != nil {
		return err
	}
	target, what := *url, "the database"
	if target == "" {
		raw := os.Getenv(tenantEntryEnv)
		if raw == "" {
			return errors.New("give --database-url, or a tenant's directory entry in $" + tenantEntryEnv)
		}
		e, err := directory.Unmarshal([]byte(raw))
		if err != nil {
			return fmt.Errorf("$%s: %w", tenantEntryEnv, err)
		}
		target, what = e.Database.OwnerURL(), "tenant "+e.Tenant
	}
	res, err := migrations.Run(ctx, target, p, newLogger(*logFormat))
	if err != nil {
		// The last line of output is what the operator shows in status.
		return fmt.Errorf("%s: %w", what, err)
	}
	fmt.Printf("Applied %d migration(s) to %s (%s phase).\n", len(res.Applied), what, p)
	for _, name := range res.Applied {
		fmt.Println("  " + name)
	}
	return nil
}
