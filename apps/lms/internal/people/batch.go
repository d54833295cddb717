package people

import (
	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// QueueUserAndMemberships queues what GetUser and ListMemberships read for
// userID into b, so a caller sending one batch (the session middleware)
// pays one round trip for both. After the batch is sent and closed without
// error, *u is the user and *ms their memberships.
func QueueUserAndMemberships(b *pgx.Batch, userID string, u **User, ms *[]Membership) {
	b.Queue(`SELECT `+userColumns+` FROM users WHERE id = $1`, userID).Query(func(rows pgx.Rows) (err error) {
		*u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[User])
		return domain.Wrap("get user", err)
	})
	b.Queue(membershipsOfUser, userID).Query(func(rows pgx.Rows) (err error) {
		*ms, err = pgx.CollectRows(rows, pgx.RowToStructByName[Membership])
		return domain.Wrap("list memberships", err)
	})
}
