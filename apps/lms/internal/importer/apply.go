package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// apply writes c inside a savepoint of s's transaction. When a school
// admin's import clashes with rows they cannot see (a user who belongs to
// another school), the savepoint is rolled back, the clash becomes a Problem
// in p, and apply returns ErrProblems with the transaction still usable.
func apply(ctx context.Context, s *db.Scope, p *Plan, c *changes, progress func(done, total int)) error {
	sp, err := s.Tx.Begin(ctx)
	if err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	w := &writer{ctx: ctx, tx: sp, total: p.Total(), progress: progress}
	c.write(w)
	if err := w.close(); err != nil {
		_ = sp.Rollback(ctx)
		var pgErr *pgconn.PgError
		if s.Actor.Role != db.SchoolAdmin || !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			return err
		}
		if err := c.reportHiddenClash(ctx, s.Tx, p, pgErr); err != nil {
			return err
		}
		return ErrProblems
	}
	if err := sp.Commit(ctx); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// reportHiddenClash names the upload rows behind a unique violation. With
// row-level security on, Postgres leaves the clashing value out of the
// error, so new users are probed: each chunk is inserted with ON CONFLICT
// DO NOTHING in a savepoint that is rolled back, and chunks that insert
// fewer rows than they hold are halved until the clashing rows are found.
func (c *changes) reportHiddenClash(ctx context.Context, tx pgx.Tx, p *Plan, clash *pgconn.PgError) error {
	if clash.TableName == "users" {
		found := false
		var probe func(lo, hi int) error
		probe = func(lo, hi int) error {
			sp, err := tx.Begin(ctx)
			if err != nil {
				return fmt.Errorf("probe users: %w", err)
			}
			tag, err := sp.Exec(ctx, insertUsers+" ON CONFLICT DO NOTHING", userColumns(c.userCreates[lo:hi])...)
			if rerr := sp.Rollback(ctx); err == nil && rerr != nil {
				err = rerr
			}
			switch {
			case err != nil:
				return fmt.Errorf("probe users: %w", err)
			case tag.RowsAffected() == int64(hi-lo):
				return nil
			case hi-lo == 1:
				found = true
				ref := c.userCreateRows[lo]
				p.problem(ref.file, ref.line, "email",
					"%s is already a user you cannot see, at another school (by e-mail address or sourcedId); ask a district admin to import this row",
					c.userCreates[lo].Email)
				return nil
			}
			mid := (lo + hi) / 2
			if err := probe(lo, mid); err != nil {
				return err
			}
			return probe(mid, hi)
		}
		for lo := 0; lo < len(c.userCreates); lo += rowsPerStatement {
			if err := probe(lo, min(lo+rowsPerStatement, len(c.userCreates))); err != nil {
				return err
			}
		}
		if found {
			return nil
		}
	}
	file := map[string]string{"users": "users.csv", "terms": "academicSessions.csv", "courses": "courses.csv",
		"sections": "classes.csv", "enrollments": "enrollments.csv"}[clash.TableName]
	p.problem(file, 0, "", "a row of %s is already in Bellwork at a school you cannot see (%s); ask a district admin to run this import",
		file, clash.ConstraintName)
	return nil
}
