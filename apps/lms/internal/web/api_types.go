package web

import "bellwork.dev/bellwork/apps/lms/internal/store"

// The JSON API's response bodies that are not a store type as it is. The
// OpenAPI document is generated from these types (openapi.go), so a field
// added here appears in the document without anyone remembering to.

type createdUserResponse struct {
	User          *store.User `json:"user"`
	InvitationURL string      `json:"invitationURL" format:"uri" doc:"One-time link the new user opens to set a password"`
}

type userDetailResponse struct {
	User        *store.User        `json:"user"`
	Memberships []store.Membership `json:"memberships"`
}

type schoolList struct {
	Items []store.School `json:"items"`
}

type termList struct {
	Items []store.Term `json:"items"`
}

type sectionList struct {
	Items []store.Section `json:"items"`
}

type rosterList struct {
	Items []store.RosterEntry `json:"items"`
}
