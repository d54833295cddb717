package importer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/jackc/pgx/v5"
)

// writer sends statements in batches and reports progress as their results
// arrive. Its first error sticks: later calls do nothing, close returns it.
type writer struct {
	ctx      context.Context
	tx       pgx.Tx
	batch    *pgx.Batch
	queued   []queuedStatement
	err      error
	done     int
	reported int
	total    int
	progress func(done, total int)
}

type queuedStatement struct {
	what   string
	rows   int // rows counted toward progress
	affect int // rows it must change, or -1 when not checked
}

// errMoved means the database changed under the import despite its lock
// (an edit outside imports); the caller retries the whole import.
var errMoved = errors.New("the database changed while importing; run the import again")

func (w *writer) queue(what string, rows, affect int, sql string, args ...any) {
	if w.err != nil {
		return
	}
	if w.batch == nil {
		w.batch = &pgx.Batch{}
	}
	w.batch.Queue(sql, args...)
	w.queued = append(w.queued, queuedStatement{what: what, rows: rows, affect: affect})
	if len(w.queued) >= statementsPerBatch {
		w.flush()
	}
}

func (w *writer) flush() {
	if w.err != nil || len(w.queued) == 0 {
		return
	}
	br := w.tx.SendBatch(w.ctx, w.batch)
	queued := w.queued
	w.batch, w.queued = nil, nil
	for _, q := range queued {
		tag, err := br.Exec()
		if err != nil {
			w.err = fmt.Errorf("%s: %w", q.what, err)
			break
		}
		if q.affect >= 0 && tag.RowsAffected() != int64(q.affect) {
			w.err = fmt.Errorf("%s: %d of %d rows changed: %w", q.what, tag.RowsAffected(), q.affect, errMoved)
			break
		}
		w.advance(q.rows)
	}
	if err := br.Close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("write batch: %w", err)
	}
}

// advance counts written rows and reports every rowsPerStatement or so.
func (w *writer) advance(rows int) {
	w.done += rows
	if w.progress != nil && rows > 0 && (w.done-w.reported >= rowsPerStatement || w.done == w.total) {
		w.reported = w.done
		w.progress(w.done, w.total)
	}
}

func (w *writer) close() error {
	w.flush()
	if w.err == nil && w.progress != nil && w.reported != w.done {
		w.reported = w.done
		w.progress(w.done, w.total)
	}
	return w.err
}

// chunks cuts rows into statement-sized pieces.
func chunks[T any](rows []T) iter.Seq[[]T] {
	return func(yield func([]T) bool) {
		for lo := 0; lo < len(rows); lo += rowsPerStatement {
			if !yield(rows[lo:min(lo+rowsPerStatement, len(rows))]) {
				return
			}
		}
	}
}

// col is one column of rows, as an array parameter for unnest.
func col[T, V any](rows []T, f func(T) V) []V {
	out := make([]V, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// joinList packs a per-row array into one text value for unnest, which
// cannot take an array of arrays. Grades and ids never hold a comma: grades
// were split on commas, ids are UUIDs.
func joinList(items []string) string { return strings.Join(items, ",") }
