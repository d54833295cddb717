// Command lms is the Bellwork LMS: the web app teachers, students, guardians
// and school admins use.
//
//	lms serve   --addr :8080 --tenant-directory <folder> | kubernetes:<namespace>
//	lms serve   --addr :8080 --database-url postgres://... --seed-admin you@school.org
//	lms migrate --database-url postgres://owner@host/db --phase expand|contract
//	lms migrate --phase expand|contract   (the tenant's directory entry in $BELLWORK_TENANT_ENTRY)
//	lms smoke   --url http://lms-preview --host district.example   ($SMOKE_EMAIL, $SMOKE_PASSWORD)
//	lms backup  --tenant t --database-url postgres://t_backup@host/db   (storage from $BACKUP_*)
//	lms verify  --tenant t --admin-url postgres://verifier@host/postgres [--backup id] [--assert SQL]
//	lms restore --tenant t --admin-url postgres://admin@host/postgres --database new --owner role [--backup id]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "migrate":
		err = migrate(ctx, os.Args[2:])
	case "smoke":
		err = smoke(ctx, os.Args[2:])
	case "backup":
		err = backupCmd(ctx, os.Args[2:])
	case "verify":
		err = verifyCmd(ctx, os.Args[2:])
	case "restore":
		err = restoreCmd(ctx, os.Args[2:])
	case "help", "-h", "--help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "lms: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "lms %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `Usage: lms <command> [flags]

Commands:
  serve     serve the LMS for the tenants in the directory (or one database)
  migrate   apply schema migrations to one tenant database
  smoke     sign a probe account in to a running LMS and check its key pages
  backup    dump one tenant database to backup storage (manifest written last)
  verify    restore a backup into a throwaway database and check it against its manifest
  restore   create a new database from a backup (or --list the backups)

Run "lms <command> -h" for a command's flags.
`)
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}
