# syntax=docker/dockerfile:1
# The LMS (apps/lms) as a static binary on a distroless base: no shell, no
# package manager, non-root. Build from the repository root:
#   docker build -f build/lms.Dockerfile -t registry.example/bellwork/lms:1.0.0 .
# Base images are pinned by digest; update a digest in a reviewed commit.
FROM golang:1.26-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/lms ./apps/lms

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/lms /usr/local/bin/lms
USER 65532:65532
# 8080 serves the districts; 9090 is the probe and metrics listener.
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/lms"]
CMD ["serve"]
