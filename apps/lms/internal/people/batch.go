package people

import (
	"strings"

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

// membershipsOfMe is membershipsOfUser for the acting user.
var membershipsOfMe = strings.Replace(membershipsOfUser, "$1", "(SELECT bw_user_id())", 1)

// QueueMeAndMemberships queues what QueueUserAndMemberships reads for the
// user whose context the batch's transaction establishes before these
// queries run (db.BeginSession): the acting user is named by the database
// (bw_user_id()), not by the caller, who does not know it yet. Row-level
// security shows a user their own row and memberships.
func QueueMeAndMemberships(b *pgx.Batch, u **User, ms *[]Membership) {
	b.Queue(`SELECT ` + userColumns + ` FROM users WHERE id = (SELECT bw_user_id())`).Query(func(rows pgx.Rows) (err error) {
		*u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[User])
		return domain.Wrap("get user", err)
	})
	b.Queue(membershipsOfMe).Query(func(rows pgx.Rows) (err error) {
		*ms, err = pgx.CollectRows(rows, pgx.RowToStructByName[Membership])
		return domain.Wrap("list memberships", err)
	})
}
