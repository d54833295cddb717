package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestHTTPProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	c := srv.Client()
	if got := HTTPProbe(context.Background(), c, srv.URL+"/ok", 200, time.Second); len(got) != 0 {
		t.Errorf("a healthy URL is active: %+v", got)
	}
	if got := HTTPProbe(context.Background(), c, srv.URL+"/bad", 200, time.Second); len(got) != 1 || got[0].Value != 503 {
		t.Errorf("a failing URL: %+v, want one sample of 503", got)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	if got := HTTPProbe(context.Background(), c, url, 200, time.Second); len(got) != 1 || got[0].Value != 0 {
		t.Errorf("no answer: %+v, want one sample of 0", got)
	}
}

func TestBackupAge(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if got := BackupAge("nightly", now.Add(-25*time.Hour), 26*time.Hour, now); len(got) != 0 {
		t.Errorf("a fresh backup is active: %+v", got)
	}
	if got := BackupAge("nightly", now.Add(-27*time.Hour), 26*time.Hour, now); len(got) != 1 || got[0].Value != 27*3600 || got[0].Labels["backup_policy"] != "nightly" {
		t.Errorf("an old backup: %+v", got)
	}
}
