package rostersync

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// This file reads a provider's whole roster and writes it as the CSV
// files of a OneRoster bulk bundle of the same version, so that a sync is
// checked, previewed and applied by exactly the code an upload is
// (importer.Format "oneroster"), and stored like an upload.

// FetchBundle reads every collection a bundle needs and returns the bundle's
// files. It returns an error, and nothing, when any request fails: a sync
// never applies half a roster.
func (c *Client) FetchBundle(ctx context.Context) (map[string][]byte, error) {
	collections := []string{"orgs", "academicSessions", "courses", "classes", "users", "enrollments"}
	got := map[string][]obj{}
	for _, name := range collections {
		raw, err := c.Collection(ctx, name)
		if err != nil {
			return nil, err
		}
		items := make([]obj, len(raw))
		for i, r := range raw {
			if err := json.Unmarshal(r, &items[i]); err != nil {
				return nil, fmt.Errorf("%s: item %d is not an object: %w", name, i+1, ErrProvider)
			}
		}
		got[name] = items
	}
	version := "1.1"
	if c.Provider.Version == "1.2" {
		version = "1.2"
	}
	files := map[string][]byte{}
	manifest := [][]string{{"manifest.version", "1.0"}, {"oneroster.version", version}}
	add := func(file string, header []string, rows [][]string) {
		files[file] = writeCSV(header, rows)
		manifest = append(manifest, []string{"file." + strings.TrimSuffix(file, ".csv"), "bulk"})
	}
	add("orgs.csv", strings.Split("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId", ","), rows(got["orgs"], func(o obj) []string {
		return []string{o.s("sourcedId"), o.status(), o.s("dateLastModified"), o.s("name"), o.s("type"), o.s("identifier"), o.ref("parent")}
	}))
	add("academicSessions.csv", strings.Split("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear", ","), rows(got["academicSessions"], func(o obj) []string {
		return []string{o.s("sourcedId"), o.status(), o.s("dateLastModified"), o.s("title"), o.s("type"), o.s("startDate"), o.s("endDate"), o.ref("parent"), o.s("schoolYear")}
	}))
	add("courses.csv", strings.Split("sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects", ","), rows(got["courses"], func(o obj) []string {
		return []string{o.s("sourcedId"), o.status(), o.s("dateLastModified"), o.ref("schoolYear"), o.s("title"), o.s("courseCode"), o.list("grades"), o.ref("org"), o.list("subjects")}
	}))
	add("classes.csv", strings.Split("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,periods", ","), rows(got["classes"], func(o obj) []string {
		return []string{o.s("sourcedId"), o.status(), o.s("dateLastModified"), o.s("title"), o.list("grades"), o.ref("course"), o.s("classCode"), o.s("classType"), o.s("location"),
			o.ref("school"), o.refs("terms"), o.list("subjects"), o.list("periods")}
	}))
	add("enrollments.csv", strings.Split("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate", ","), rows(got["enrollments"], func(o obj) []string {
		return []string{o.s("sourcedId"), o.status(), o.s("dateLastModified"), o.ref("class"), o.ref("school"), o.ref("user"), o.s("role"), o.s("primary"), o.s("beginDate"), o.s("endDate")}
	}))
	if version == "1.1" {
		add("users.csv", strings.Split("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades", ","), rows(got["users"], func(o obj) []string {
			return []string{o.s("sourcedId"), o.status(), o.s("dateLastModified"), o.s("enabledUser"), o.refs("orgs"), o.s("role"), o.s("username"), o.userIDs(),
				o.s("givenName"), o.s("familyName"), o.s("middleName"), o.s("identifier"), o.s("email"), o.s("sms"), o.s("phone"), o.refs("agents"), o.list("grades")}
		}))
	} else {
		add("users.csv", strings.Split("sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns", ","), rows(got["users"], func(o obj) []string {
			return []string{o.s("sourcedId"), o.status(), o.s("dateLastModified"), o.s("enabledUser"), o.s("username"), o.userIDs(),
				o.s("givenName"), o.s("familyName"), o.s("middleName"), o.s("identifier"), o.s("email"), o.s("sms"), o.s("phone"), o.refs("agents"), o.list("grades"),
				o.s("userMasterIdentifier"), o.s("preferredFirstName"), o.s("preferredMiddleName"), o.s("preferredLastName"), o.ref("primaryOrg"), o.s("pronouns")}
		}))
		var roles [][]string
		for _, u := range got["users"] {
			for _, r := range u.objs("roles") {
				roles = append(roles, []string{"", "", "", u.s("sourcedId"), r.s("roleType"), r.s("role"), r.s("beginDate"), r.s("endDate"), r.ref("org"), r.ref("userProfile")})
			}
		}
		add("roles.csv", strings.Split("sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId", ","), roles)
	}
	files["manifest.csv"] = writeCSV([]string{"propertyName", "value"}, manifest)
	return files, nil
}

// obj is one JSON object of a collection.
type obj map[string]json.RawMessage

// s is a string, number or boolean field as text.
func (o obj) s(key string) string {
	raw, ok := o[key]
	if !ok {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// status is the record's status; a REST provider may still say "active"
// for every record, which bulk CSV leaves empty or says the same way.
func (o obj) status() string { return o.s("status") }

// ref is the sourcedId of a GUIDRef field ({"sourcedId": ..., "type": ...}).
func (o obj) ref(key string) string {
	var r struct {
		SourcedID string `json:"sourcedId"`
	}
	if raw, ok := o[key]; ok && json.Unmarshal(raw, &r) == nil {
		return r.SourcedID
	}
	return ""
}

// refs lists the sourcedIds of a list of GUIDRefs.
func (o obj) refs(key string) string {
	var ids []string
	for _, r := range o.objs(key) {
		if id := r.s("sourcedId"); id != "" {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, ",")
}

// list joins a list of strings (or one string) with commas.
func (o obj) list(key string) string {
	raw, ok := o[key]
	if !ok {
		return ""
	}
	var items []string
	if json.Unmarshal(raw, &items) == nil {
		return strings.Join(items, ",")
	}
	return o.s(key)
}

func (o obj) objs(key string) []obj {
	var out []obj
	if raw, ok := o[key]; ok {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// userIDs writes userIds as the CSV does: {type:identifier},...
func (o obj) userIDs() string {
	var ids []string
	for _, u := range o.objs("userIds") {
		ids = append(ids, "{"+u.s("type")+":"+u.s("identifier")+"}")
	}
	return strings.Join(ids, ",")
}

func rows(items []obj, row func(obj) []string) [][]string {
	out := make([][]string, len(items))
	for i, o := range items {
		out[i] = row(o)
	}
	return out
}

func writeCSV(header []string, rows [][]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail
	return buf.Bytes()
}
