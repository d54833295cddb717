package pgadmin

import (
	"context"
	"fmt"
)

// Change is one SQL statement and what it does.
type Change struct {
	// SQL is the statement. It may hold a SCRAM verifier: never log it.
	SQL string
	// What says what the statement does, for logs and Events.
	What string
	// Drift, when set, says what had been changed by hand and is being put
	// back, e.g. "bw_x_app_blue had BYPASSRLS; removed".
	Drift string
}

// Apply runs changes in order and stops at the first failure.
func Apply(ctx context.Context, s Session, changes []Change) error {
	for _, c := range changes {
		if err := s.Exec(ctx, c.SQL); err != nil {
			return fmt.Errorf("%s: %w", lowerFirst(c.What), err)
		}
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
