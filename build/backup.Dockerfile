# syntax=docker/dockerfile:1
# The image of BackupPolicy Jobs and restore Jobs: the LMS binary (its
# backup, verify and restore subcommands) with PostgreSQL 17's pg_dump and
# pg_restore, on the same distroless static base as the LMS: no shell, no
# package manager, non-root. pg_dump must be at least the server's major
# version; raise PG_MAJOR with the servers. Build from the repository root:
#   docker build -f build/backup.Dockerfile -t registry.example/bellwork/lms-backup:1.0.0 .
# and run the operator with --backup-image=registry.example/bellwork/lms-backup:1.0.0.
# Base images are pinned by digest; update a digest in a reviewed commit.
FROM golang:1.26-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
ARG PG_MAJOR=17
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/root/usr/local/bin/lms ./apps/lms
# pg_dump and pg_restore from the PostgreSQL project's Debian repository,
# copied with every shared library they load (glibc and its loader
# included) so that they run on the static base, where lms finds them in
# /usr/lib/postgresql/<major>/bin.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-common ca-certificates gnupg \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
 && for tool in pg_dump pg_restore; do \
      bin=/usr/lib/postgresql/${PG_MAJOR}/bin/$tool; \
      cp --parents "$bin" /out/root/; \
      ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | xargs -r -I{} cp --parents -L {} /out/root/; \
    done \
 && /out/root/usr/lib/postgresql/${PG_MAJOR}/bin/pg_dump --version

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/root/ /
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/lms"]
CMD ["backup", "--help"]
