// Package checks runs AlertRules' typed checks, the common cases that need
// no PromQL. Each returns the instance's sample when the check finds
// something wrong and none when all is well; an error means the check
// could not tell (health Error), which is different from "wrong".
package checks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/alerting"
)

// HTTPProbe requests url and is active when the answer's status is not
// expected. Its value is the status code, 0 when no answer came.
func HTTPProbe(ctx context.Context, client *http.Client, url string, expected int, timeout time.Duration) []alerting.Sample {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	labels := alerting.Labels{"url": url}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return []alerting.Sample{{Labels: labels, Value: 0}}
	}
	res, err := client.Do(req)
	if err != nil {
		return []alerting.Sample{{Labels: labels, Value: 0}}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode == expected {
		return nil
	}
	return []alerting.Sample{{Labels: labels, Value: float64(res.StatusCode)}}
}

// DatabaseReachable connects to uri and runs SELECT 1; it is active (value
// 1) when that fails within timeout. The error, for the log, says why.
func DatabaseReachable(ctx context.Context, tenant, uri string, timeout time.Duration) ([]alerting.Sample, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg, err := pgx.ParseConfig(uri)
	if err != nil {
		return nil, fmt.Errorf("the credentials of tenant %s do not make a connection URI", tenant)
	}
	cfg.ConnectTimeout = timeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		var one int
		err = conn.QueryRow(ctx, "SELECT 1").Scan(&one)
		_ = conn.Close(context.WithoutCancel(ctx))
	}
	if err != nil {
		return []alerting.Sample{{Labels: alerting.Labels{"tenant": tenant}, Value: 1}}, nil
	}
	return nil, nil
}

// BackupAge is active when the newest good backup (or, without one, the
// policy's creation) is older than maxAge at now. Its value is the age in
// seconds.
func BackupAge(policy string, newest time.Time, maxAge time.Duration, now time.Time) []alerting.Sample {
	age := now.Sub(newest)
	if age <= maxAge {
		return nil
	}
	return []alerting.Sample{{Labels: alerting.Labels{"backup_policy": policy}, Value: age.Truncate(time.Second).Seconds()}}
}
