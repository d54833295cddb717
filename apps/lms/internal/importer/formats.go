package importer

import (
	"context"
	"path"
	"slices"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// Format is one roster file format a district can import: how its files
// are recognised, parsed and planned. The upload handler and the import
// job both choose the format here, by the name an import is stored under,
// so a new format is added in one place.
type Format struct {
	// Name is stored as the import's kind and sent by the upload form.
	Name string
	// Label names the format to people.
	Label string
	// Zip says a single .zip upload is the format's bundle, unpacked.
	Zip bool
	// OneFile says the format takes exactly one CSV file.
	OneFile bool

	// detect says whether uploaded file names look like this format.
	detect func(names []string) bool
	// parse reads the files for plan, or returns their problems.
	parse func(files roster.Files) (parsed any, problems []roster.Problem)
	plan  func(ctx context.Context, s *db.Scope, parsed any) (*Plan, *changes, error)
	// afterApply, when set, runs in Apply's transaction once the plan is written.
	afterApply func(ctx context.Context, s *db.Scope, parsed any) error
}

var formats = []*Format{
	// A 1.2 bundle uploaded as CSV files is known by its roles.csv; a zip of
	// one is stored as "oneroster" and read by its manifest, like deltas.
	{Name: "oneroster12", Label: "OneRoster 1.2", Zip: true,
		detect: func(names []string) bool {
			return slices.ContainsFunc(names, func(n string) bool {
				n = strings.ToLower(n)
				return n == "roles.csv" || n == "userprofiles.csv"
			})
		},
		parse: func(files roster.Files) (any, []roster.Problem) { return roster.ParseBundle12(files) },
		plan:  planParsedBundle, afterApply: recordParsedOrgs},
	{Name: "oneroster", Label: "OneRoster 1.1 or 1.2, bulk or delta", Zip: true,
		detect: func(names []string) bool {
			return slices.ContainsFunc(names, func(n string) bool {
				n = strings.ToLower(n)
				return n == "manifest.csv" || n == "orgs.csv" || n == "enrollments.csv" || path.Ext(n) == ".zip"
			})
		},
		// The manifest says the version and mode (roster.ParseOneRosterBundle).
		parse: func(files roster.Files) (any, []roster.Problem) { return roster.ParseBundle(files) },
		plan:  planParsedBundle, afterApply: recordParsedOrgs},
	{Name: "users_csv", Label: "Users CSV", OneFile: true,
		detect: func(names []string) bool { return len(names) == 1 && strings.EqualFold(path.Ext(names[0]), ".csv") },
		parse: func(files roster.Files) (any, []roster.Problem) {
			for name, src := range files {
				return roster.ParseUsersCSVSource(name, src)
			}
			return nil, []roster.Problem{{File: usersCSVFile, Reason: "Choose the users CSV file."}}
		},
		plan: func(ctx context.Context, s *db.Scope, parsed any) (*Plan, *changes, error) {
			return planUsersCSV(ctx, s, parsed.([]roster.UserRow))
		}},
}

// FormatNamed finds a format by its name.
func FormatNamed(name string) (*Format, bool) {
	i := slices.IndexFunc(formats, func(f *Format) bool { return f.Name == name })
	if i < 0 {
		return nil, false
	}
	return formats[i], true
}

// Formats lists the formats, in the order the upload form offers them.
func Formats() []*Format { return slices.Clone(formats) }

// Detect picks the format uploaded file names look like: a OneRoster
// bundle (a .zip, or its manifest, orgs or enrollments file) before a
// single users CSV.
func Detect(names []string) (*Format, bool) {
	for _, f := range formats {
		if f.detect(names) {
			return f, true
		}
	}
	return nil, false
}

// Plan parses files and works out what importing them would change,
// writing nothing. Every problem is in the plan, found while parsing or
// while matching the files to the district, so one upload reports all
// of them: the rows the parser found fit are planned even when others
// are not (a planner says nothing more about references to the rows left
// out, see roster.Bundle.HeldBack). Warnings (roster.Problem.Warning) do
// not block applying. Only when nothing could be parsed at all does Plan
// return the problems without a plan.
func (f *Format) Plan(ctx context.Context, s *db.Scope, files roster.Files) (*Plan, []roster.Problem, error) {
	parsed, problems := f.parse(files)
	if parsed == nil || parsed == (*roster.Bundle)(nil) {
		return nil, problems, nil
	}
	p, _, err := f.plan(ctx, s, parsed)
	if err != nil {
		return nil, nil, err
	}
	p.addWarnings(problems)
	return p, nil, nil
}

// Apply parses files again and applies them in s's transaction (see
// applyPlan). Problems in the files come back with ErrProblems.
func (f *Format) Apply(ctx context.Context, s *db.Scope, files roster.Files, progress func(done, total int)) (*Plan, []roster.Problem, error) {
	parsed, problems := f.parse(files)
	if roster.Blocking(problems) {
		return nil, problems, ErrProblems
	}
	p, err := applyPlan(ctx, s, f.Name, func(ctx context.Context, s *db.Scope) (*Plan, *changes, error) {
		return f.plan(ctx, s, parsed)
	}, progress)
	if p != nil {
		p.addWarnings(problems)
	}
	if err == nil && f.afterApply != nil {
		err = f.afterApply(ctx, s, parsed)
	}
	return p, nil, err
}

func planParsedBundle(ctx context.Context, s *db.Scope, parsed any) (*Plan, *changes, error) {
	return planBundle(ctx, s, parsed.(*roster.Bundle))
}

func recordParsedOrgs(ctx context.Context, s *db.Scope, parsed any) error {
	return recordOrgs(ctx, s, parsed.(*roster.Bundle))
}
