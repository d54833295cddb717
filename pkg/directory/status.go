package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The LMS reports back to the operator through one table in each tenant
// database, operator_status, which the operator reads with the tenant's
// readonly role. It is the one table whose rows every role may read (its
// row-level-security policy allows SELECT to all): it holds milestone names,
// times, school codes and counts, never personal data. Only the LMS writes it.
//
//	CREATE TABLE operator_status (
//	  key        text PRIMARY KEY,   -- "milestone:<Name>" or "school:<code>"
//	  value      jsonb NOT NULL,     -- MilestoneStatus or SchoolStatus
//	  updated_at timestamptz NOT NULL DEFAULT now()
//	);
const StatusTable = "operator_status"

// Milestones the LMS reports (the operator adds those it knows itself,
// such as backups configured). Names match the Tenant's onboarding checklist.
const (
	MilestoneAdminInvited       = "AdminInvited"
	MilestoneAdminSignedIn      = "AdminSignedIn"
	MilestoneSchoolsSynced      = "SchoolsSynced"
	MilestoneRosterImported     = "RosterImported"
	MilestoneFirstCourse        = "FirstCourse"
	MilestoneFirstTeacherSignIn = "FirstTeacherSignIn"
	MilestoneBrandingSet        = "BrandingSet"
	MilestoneFirstGrade         = "FirstAssignmentGraded"
)

// MilestoneKey is the operator_status key of a milestone.
func MilestoneKey(name string) string { return "milestone:" + name }

// SchoolKey is the operator_status key of a school's sync state.
func SchoolKey(code string) string { return "school:" + code }

// MilestoneStatus is the value of a milestone row: when it was first reached.
type MilestoneStatus struct {
	ReachedAt time.Time `json:"reachedAt"`
}

// SchoolStatus is the value of a school row.
type SchoolStatus struct {
	// Hash is SchoolHash of the directory version the LMS stored.
	Hash           string    `json:"hash"`
	SyncedAt       time.Time `json:"syncedAt"`
	Archived       bool      `json:"archived"`
	ActiveStudents int       `json:"activeStudents"`
}

// SchoolHash is a digest of a school as published, so the operator can tell
// whether the LMS holds the current version.
func SchoolHash(s School) string {
	data, _ := json.Marshal(s)
	return Hash(data)
}

// Status is what the LMS reported for a tenant.
type Status struct {
	Milestones map[string]MilestoneStatus
	Schools    map[string]SchoolStatus
}

// ReadStatus reads operator_status; a database the LMS has not migrated yet
// reads as an empty status.
func ReadStatus(ctx context.Context, conn *pgx.Conn) (*Status, error) {
	st := &Status{Milestones: map[string]MilestoneStatus{}, Schools: map[string]SchoolStatus{}}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('public.operator_status') IS NOT NULL").Scan(&exists); err != nil {
		return nil, fmt.Errorf("check operator_status: %w", err)
	}
	if !exists {
		return st, nil
	}
	rows, err := conn.Query(ctx, "SELECT key, value FROM operator_status")
	if err != nil {
		return nil, fmt.Errorf("read operator_status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var value []byte
		if err := rows.Scan(&key, &value); err != nil {
			return nil, err
		}
		milestone, isMilestone := strings.CutPrefix(key, "milestone:")
		code, isSchool := strings.CutPrefix(key, "school:")
		switch {
		case isMilestone && milestone != "":
			var m MilestoneStatus
			if json.Unmarshal(value, &m) == nil {
				st.Milestones[milestone] = m
			}
		case isSchool && code != "":
			var s SchoolStatus
			if json.Unmarshal(value, &s) == nil {
				st.Schools[code] = s
			}
		}
	}
	return st, rows.Err()
}

// InvitationPath is the LMS path that accepts an admin invitation token.
const InvitationPath = "/invitations/"

// InvitationURL is the one-time sign-in link for an invitation token on a host.
// Hosts ending in "localhost" are served over plain HTTP on port; others over HTTPS.
func InvitationURL(host string, port int, token string) string {
	u := url.URL{Scheme: "https", Host: host, Path: InvitationPath + token}
	if host == "localhost" || len(host) > len(".localhost") && host[len(host)-len(".localhost"):] == ".localhost" {
		u.Scheme = "http"
		if port > 0 {
			u.Host = fmt.Sprintf("%s:%d", host, port)
		}
	}
	return u.String()
}
