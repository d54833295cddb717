// Package build holds the Dockerfiles of the operator and the LMS; this
// test lints them, since no container runtime is available to build them.
package build

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

type instruction struct {
	cmd, args string
	line      int
}

type stage struct {
	from  string
	steps []instruction
}

// parse reads a Dockerfile into stages, joining continued lines.
func parse(data string) ([]stage, []string) {
	var stages []stage
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		start := i + 1
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(lines[i])
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start}
		if in.cmd == "FROM" {
			stages = append(stages, stage{from: in.args})
			continue
		}
		if len(stages) == 0 {
			return nil, []string{fmt.Sprintf("line %d: %s before FROM", start, in.cmd)}
		}
		stages[len(stages)-1].steps = append(stages[len(stages)-1].steps, in)
	}
	return stages, nil
}

var pinned = regexp.MustCompile(`^\S+@sha256:[0-9a-f]{64}(\s+AS\s+\S+)?$`)

// lint says what is wrong with a Dockerfile: bases not pinned by digest,
// a dynamic binary, a run stage with a shell or run as root, an
// entrypoint in shell form or not copied in. uid is the run stage's user.
func lint(data string) (problems []string, uid string) {
	stages, problems := parse(data)
	if len(problems) > 0 {
		return problems, ""
	}
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(stages) < 2 {
		add("want a build stage and a run stage, got %d stage(s)", len(stages))
		return problems, ""
	}
	for _, s := range stages {
		if !pinned.MatchString(s.from) {
			add("FROM %s: the base is not pinned by digest (image@sha256:...)", s.from)
		}
	}
	for _, s := range stages[:len(stages)-1] {
		for _, in := range s.steps {
			if in.cmd == "RUN" && strings.Contains(in.args, "go build") && !strings.Contains(in.args, "CGO_ENABLED=0") {
				add("line %d: go build without CGO_ENABLED=0 does not make a static binary", in.line)
			}
		}
	}
	final := stages[len(stages)-1]
	base := strings.Fields(final.from)[0]
	if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		add("run stage on %s: want distroless static or scratch (no shell at run time)", base)
	}
	var user, entrypoint string
	copied := map[string]bool{}
	for _, in := range final.steps {
		switch in.cmd {
		case "RUN":
			add("line %d: RUN in the run stage needs a shell in the image", in.line)
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entrypoint = in.args
		case "COPY":
			fields := strings.Fields(in.args)
			copied[fields[len(fields)-1]] = true
		case "CMD":
			var cmd []string
			if json.Unmarshal([]byte(in.args), &cmd) != nil {
				add("line %d: CMD %s is not in exec form", in.line, in.args)
			}
		}
	}
	uid = strings.Split(user, ":")[0]
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		add("USER %q: want a numeric non-root user (Kubernetes checks runAsNonRoot by number)", user)
	}
	var argv []string
	if err := json.Unmarshal([]byte(entrypoint), &argv); err != nil || len(argv) == 0 {
		add("ENTRYPOINT %q is not in exec form", entrypoint)
	} else if !copied[argv[0]] && !copied["/"] {
		add("ENTRYPOINT runs %s, which the run stage does not copy in", argv[0])
	}
	return problems, uid
}

// The operator's, the LMS's and the backup Jobs' images pass the lint, and
// the LMS image's user is the one the operator runs LMS pods as.
func TestDockerfiles(t *testing.T) {
	files, _ := filepath.Glob("*.Dockerfile")
	if len(files) != 3 {
		t.Fatalf("want the operator's, the LMS's and the backup Jobs' Dockerfiles, found %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		problems, uid := lint(string(data))
		for _, p := range problems {
			t.Errorf("%s: %s", f, p)
		}
		if strings.Contains(f, "lms") {
			d := &platformv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "lms"}, Spec: platformv1.DeploymentSpec{Image: "lms:1"}}
			pod := builders.BuildColorDeployment(d, platformv1.ColorStatus{Color: platformv1.Blue, Image: "lms:1"}, 1, builders.LMSOptions{}).Spec.Template.Spec
			if got := strconv.FormatInt(*pod.Containers[0].SecurityContext.RunAsUser, 10); got != uid {
				t.Errorf("the operator runs LMS pods as user %s, the image's USER is %s", got, uid)
			}
			if len(pod.Containers[0].Command) != 0 {
				t.Errorf("LMS pods override the image's ENTRYPOINT with %v", pod.Containers[0].Command)
			}
		}
	}
}

// The backup Jobs' image has lms, and pg_dump and pg_restore where lms
// looks for them (/usr/lib/postgresql/<major>/bin), and runs as the user
// the operator runs backup pods as.
func TestBackupImage(t *testing.T) {
	data, err := os.ReadFile("backup.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	stages, _ := parse(text)
	build := stages[0]
	var runs string
	for _, in := range build.steps {
		if in.cmd == "RUN" || in.cmd == "ARG" {
			runs += in.args + "\n"
		}
	}
	for _, want := range []string{"-o /out/root/usr/local/bin/lms ./apps/lms", "postgresql-client-${PG_MAJOR}",
		"/usr/lib/postgresql/${PG_MAJOR}/bin/$tool", "for tool in pg_dump pg_restore", "ldd"} {
		if !strings.Contains(runs, want) {
			t.Errorf("the build stage does not have %q", want)
		}
	}
	if !strings.Contains(text, "COPY --from=build /out/root/ /") {
		t.Error("the run stage does not copy the built tree in")
	}
	_, uid := lint(text)
	bp := &platformv1.BackupPolicy{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "tenant-t"},
		Spec: platformv1.BackupPolicySpec{Schedule: "0 2 * * *", Destination: platformv1.BackupDestination{
			Filesystem: &platformv1.FilesystemDestination{Path: "/backups"}}}}
	c := builders.BuildBackupCronJob(bp, builders.BackupJobOptions{Tenant: "t", Image: "lms-backup:1"}).Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	if got := strconv.FormatInt(*c.SecurityContext.RunAsUser, 10); got != uid {
		t.Errorf("the operator runs backup pods as user %s, the image's USER is %s", got, uid)
	}
	if len(c.Command) != 1 || c.Command[0] != "lms" {
		t.Errorf("backup pods run %v, want lms (on the image's PATH)", c.Command)
	}
}

const good = `FROM golang:1.26@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
RUN CGO_ENABLED=0 go build \
    -o /out/app .
FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/app /app
USER 65532:65532
ENTRYPOINT ["/app"]
`

// Each rule catches what it is for.
func TestLintCatchesEachProblem(t *testing.T) {
	if problems, _ := lint(good); len(problems) > 0 {
		t.Fatalf("a good Dockerfile: %v", problems)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"a tag, not a digest", "gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639", "gcr.io/distroless/static-debian12:nonroot", "not pinned by digest"},
		{"a dynamic binary", "CGO_ENABLED=0 go build", "go build", "does not make a static binary"},
		{"a base with a shell", "gcr.io/distroless/static-debian12:nonroot@", "debian:12@", "want distroless static or scratch"},
		{"no user", "USER 65532:65532\n", "", "want a numeric non-root user"},
		{"root", "USER 65532:65532", "USER 0", "want a numeric non-root user"},
		{"a user by name", "USER 65532:65532", "USER nonroot", "want a numeric non-root user"},
		{"shell form", `ENTRYPOINT ["/app"]`, "ENTRYPOINT /app", "not in exec form"},
		{"a binary not copied in", `ENTRYPOINT ["/app"]`, `ENTRYPOINT ["/bin/app"]`, "does not copy in"},
		{"RUN at run time", "USER 65532:65532", "RUN chmod +x /app\nUSER 65532:65532", "needs a shell in the image"},
	} {
		bad := strings.Replace(good, tc.from, tc.to, 1)
		problems, _ := lint(bad)
		if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
			t.Errorf("%s: problems %v, want one saying %q", tc.name, problems, tc.want)
		}
	}
}
