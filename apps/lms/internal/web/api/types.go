package api

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
)

// The JSON API's response bodies that are not a store type as it is. The
// OpenAPI document is generated from these types (openapi.go), so a field
// added here appears in the document without anyone remembering to.

type createdUserResponse struct {
	User          *people.User `json:"user"`
	InvitationURL string       `json:"invitationURL" format:"uri" doc:"One-time link the new user opens to set a password"`
}

type userDetailResponse struct {
	User        *people.User        `json:"user"`
	Memberships []people.Membership `json:"memberships"`
}

type schoolList struct {
	Items []schools.School `json:"items"`
}

type termList struct {
	Items []classes.Term `json:"items"`
}

type sectionList struct {
	Items []classes.Section `json:"items"`
}

type rosterList struct {
	Items []classes.RosterEntry `json:"items"`
}
