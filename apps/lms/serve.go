package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/app"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
	"bellwork.dev/bellwork/apps/lms/internal/web"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/memlimit"
)

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address of the tenant listener, which serves every district by Host (host:port)")
	probeAddr := fs.String("probe-addr", "127.0.0.1:9090", "address of the probe listener: /healthz, /readyz and /metrics for the kubelet and Prometheus, never exposed to districts (host:port)")
	dir := fs.String("tenant-directory", "", "a folder with one <tenant>.json entry per tenant, or kubernetes:<namespace> to watch the directory Secrets there")
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig for kubernetes:<namespace> (default $KUBECONFIG; the in-cluster config when neither is set)")
	dbURL := fs.String("database-url", "", "quick start: serve one tenant from this database (its user runs the migrations too)")
	seedAdmin := fs.String("seed-admin", "", "quick start: e-mail address of a district admin to invite; the sign-in link is printed")
	devMailbox := fs.Bool("dev-mailbox", false, "keep sent mail in memory and show it at /dev/mailbox (development and tests only)")
	mailboxDir := fs.String("mailbox-dir", "", "with --dev-mailbox: keep sent e-mail as files in this folder, which every replica given it shares (/dev/mailbox then lists them all)")
	idle := fs.Duration("session-idle", 2*time.Hour, "sign browsers out after this long without a request")
	absolute := fs.Duration("session-absolute", 12*time.Hour, "sign browsers out this long after sign-in")
	poolIdle := fs.Duration("pool-idle", 10*time.Minute, "close a tenant's database pool unused this long")
	poolMax := fs.Int("pool-max-conns", 10, "connections per tenant pool")
	logFormat := fs.String("log-format", "text", "text or json")
	filesDir := fs.String("files-dir", "", "keep uploaded files (attachments, submissions) in this folder; default $FILES_PATH, or S3 with $FILES_S3_ENDPOINT, $FILES_S3_BUCKET, $FILES_S3_ACCESS_KEY[_FILE], $FILES_S3_SECRET_KEY[_FILE] (and _PREFIX, _REGION, _INSECURE, _SSE, as for backups); none: uploads are refused")
	var proxies []netip.Prefix
	fs.Func("trusted-proxy", "address or CIDR of a proxy in front of the LMS (the ingress), repeatable; X-Forwarded-For is believed only from these", func(v string) error {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return fmt.Errorf("%q is not an address or CIDR such as 10.0.0.0/8", v)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		proxies = append(proxies, p.Masked())
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(*logFormat)
	if said, err := memlimit.Apply("/sys/fs/cgroup"); err != nil {
		log.Error("memory limit not set", "error", err)
	} else {
		log.Info("memory", "limit", said)
	}
	if (*dir == "") == (*dbURL == "") {
		return errors.New("give exactly one of --tenant-directory or --database-url")
	}
	if *seedAdmin != "" && *dbURL == "" {
		return errors.New("--seed-admin works with --database-url only; for directory tenants the operator invites spec.admins")
	}

	var mailer mail.Mailer = mail.Discard{}
	if *devMailbox {
		mailer = &mail.Mailbox{Dir: *mailboxDir}
	}
	secret, err := linkSecret(os.Getenv)
	if err != nil {
		return err
	}
	_, listenPort, _ := net.SplitHostPort(*addr)
	sitePort, _ := strconv.Atoi(listenPort)
	lms, err := app.New(ctx, app.Config{Log: log, Mailer: mailer, PoolIdle: *poolIdle, PoolMaxConns: int32(*poolMax),
		LinkSecret: secret, SitePort: sitePort})
	if err != nil {
		return err
	}
	defer lms.Close()
	reg := lms.Registry

	cfg := web.DefaultConfig()
	cfg.SessionIdle, cfg.SessionAbsolute, cfg.DevMailbox, cfg.TrustedProxies = *idle, *absolute, *devMailbox, proxies
	if *filesDir != "" {
		cfg.Files = storage.Folder(*filesDir)
	} else if cfg.Files, err = storage.FromEnv(os.Getenv); err != nil {
		return err
	}
	srv, err := web.New(lms, cfg)
	if err != nil {
		return err
	}

	switch {
	case *dbURL != "":
		entry, link, err := quickStartEntry(*dbURL, *addr, *seedAdmin)
		if err != nil {
			return err
		}
		reg.Replace([]*directory.Entry{entry})
		if link != "" {
			fmt.Printf("Invitation for %s (works once, for 14 days):\n  %s\n", *seedAdmin, link)
		}
	case strings.HasPrefix(*dir, "kubernetes:"):
		cfg, err := tenancy.KubeConfig(*kubeconfig)
		if err != nil {
			return fmt.Errorf("kubernetes config: %w", err)
		}
		if err := tenancy.WatchSecrets(ctx, reg, cfg, strings.TrimPrefix(*dir, "kubernetes:")); err != nil {
			return err
		}
	default:
		if err := tenancy.WatchFolder(ctx, reg, *dir, time.Second); err != nil {
			return err
		}
	}
	go lms.Run(ctx)
	log.Info("Serving the LMS", "addr", *addr, "probeAddr", *probeAddr, "tenants", len(reg.Tenants()))
	return srv.Serve(ctx, *addr, *probeAddr)
}

// quickStartEntry serves one database as the tenant "default" on localhost.
func quickStartEntry(rawURL, addr, adminEmail string) (*directory.Entry, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.User == nil {
		return nil, "", errors.New("--database-url must look like postgres://user:password@host:5432/database")
	}
	port := 5432
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	}
	pw, _ := u.User.Password()
	creds := directory.Credentials{User: u.User.Username(), Password: pw}
	ssl := u.Query().Get("sslmode")
	if ssl == "" {
		ssl = "prefer"
	}
	e := &directory.Entry{Version: directory.FormatVersion, Tenant: "default", DisplayName: "Bellwork", Hosts: []string{"localhost", "127.0.0.1"},
		TimeZone: "UTC", Database: directory.Database{Name: strings.TrimPrefix(u.Path, "/"), Host: u.Hostname(), Port: port,
			DirectHost: u.Hostname(), DirectPort: port, SSLMode: ssl, App: creds, System: creds, Owner: creds}}
	if adminEmail == "" {
		return e, "", e.Validate()
	}
	token, hash := auth.NewToken()
	e.Admins = []directory.Admin{{Email: strings.ToLower(adminEmail), TokenSHA256: hash, ExpiresAt: time.Now().Add(14 * 24 * time.Hour)}}
	_, listenPort, _ := net.SplitHostPort(addr)
	lp, _ := strconv.Atoi(listenPort)
	return e, directory.InvitationURL("localhost", lp, token), e.Validate()
}

// linkSecret is the secret that signs e-mailed links, from LMS_LINK_SECRET
// or the file LMS_LINK_SECRET_FILE names (a mounted Secret); nil when
// neither is set, and each district's key then comes from its directory
// Secret (see app.App.LinkKey).
func linkSecret(getenv func(string) string) ([]byte, error) {
	if v := getenv("LMS_LINK_SECRET"); v != "" {
		return []byte(v), nil
	}
	path := getenv("LMS_LINK_SECRET_FILE")
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("LMS_LINK_SECRET_FILE: %w", err)
	}
	if v := strings.TrimSpace(string(b)); v != "" {
		return []byte(v), nil
	}
	return nil, errors.New("LMS_LINK_SECRET_FILE names an empty file")
}
