package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// Audit records an action in the audit log, in the same transaction as the
// action itself, so the log never claims what did not happen.
func Audit(ctx context.Context, s *db.Scope, action, target string, detail map[string]any, requestID string) error {
	if detail == nil {
		detail = map[string]any{}
	}
	data, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = s.Tx.Exec(ctx, `INSERT INTO audit_log (actor_id, actor_role, school_id, action, target, detail, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		domain.Nullable(s.Actor.UserID), string(s.Actor.Role), domain.Nullable(s.Actor.SchoolID), action, target, data, requestID)
	return domain.Wrap("audit", err)
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	At        time.Time       `db:"at" json:"at"`
	Actor     *string         `db:"actor" json:"actor,omitempty"`
	ActorRole string          `db:"actor_role" json:"actorRole"`
	Action    string          `db:"action" json:"action"`
	Target    string          `db:"target" json:"target"`
	Detail    json.RawMessage `db:"detail" json:"detail"`
}

// ListAudit returns the newest audit entries visible to the actor.
func ListAudit(ctx context.Context, s *db.Scope, limit int) ([]AuditEntry, error) {
	rows, err := s.Tx.Query(ctx, `SELECT a.at, u.email AS actor, a.actor_role, a.action, a.target, a.detail
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.at DESC, a.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, domain.Wrap("list audit", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditEntry])
	return out, domain.Wrap("list audit", err)
}
