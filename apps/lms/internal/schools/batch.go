package schools

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// QueueBrandingSchool queues into b the read of the school whose branding a
// page wears: the school with id schoolID, or, when it is empty or gone,
// the district's only active school. After the batch is sent and closed
// without error, *out is that school, or nil (several schools, none
// chosen). One query, so one batch slot, instead of GetSchool followed by
// ListSchools.
func QueueBrandingSchool(b *pgx.Batch, schoolID string, out **School) {
	b.Queue(brandingSchool, domain.Nullable(schoolID)).Query(scanBrandingSchool(out))
}

// QueueMyBrandingSchool is QueueBrandingSchool for the school the acting
// user acts at, as the batch's transaction established it before this
// query runs (db.BeginSession): bw_school_id(), which is NULL for a
// district admin.
func QueueMyBrandingSchool(b *pgx.Batch, out **School) {
	b.Queue(strings.Replace(brandingSchool, "$1::uuid", "(SELECT bw_school_id())", 1)).Query(scanBrandingSchool(out))
}

const brandingSchool = `WITH chosen AS (SELECT ` + schoolColumns + ` FROM schools WHERE id = $1::uuid),
		only_one AS (SELECT ` + schoolColumns + ` FROM schools WHERE archived_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM chosen) AND (SELECT count(*) FROM schools WHERE archived_at IS NULL) = 1)
		SELECT * FROM chosen UNION ALL SELECT * FROM only_one`

func scanBrandingSchool(out **School) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		sc, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[School])
		if errors.Is(err, pgx.ErrNoRows) {
			*out = nil
			return nil
		}
		*out = sc
		return domain.Wrap("branding school", err)
	}
}
