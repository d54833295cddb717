package controllers

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Backup metrics per policy, computed at scrape time from the policies'
// status (itself read from the catalogue in storage), so ages are exact
// whenever Prometheus or an AlertRule looks.
var (
	backupLabels       = []string{"namespace", "backuppolicy", "tenant"}
	backupLastAgeDesc  = prometheus.NewDesc("bellwork_backup_last_success_age_seconds", "Age of the newest backup in storage.", backupLabels, nil)
	backupVerAgeDesc   = prometheus.NewDesc("bellwork_backup_last_verified_age_seconds", "Time since the newest passed verification finished.", backupLabels, nil)
	backupSizeDesc     = prometheus.NewDesc("bellwork_backup_last_size_bytes", "Size of the newest backup.", backupLabels, nil)
	backupDurationDesc = prometheus.NewDesc("bellwork_backup_last_duration_seconds", "How long the newest backup took.", backupLabels, nil)
	backupVerifiedDesc = prometheus.NewDesc("bellwork_backup_last_verification_passed", "1 when the latest verification passed, 0 when it failed.", backupLabels, nil)
	backupCountDesc    = prometheus.NewDesc("bellwork_backups", "Backups kept in storage.", backupLabels, nil)
)

type backupCollector struct {
	reader atomic.Pointer[client.Reader]
	now    func() time.Time
}

var (
	backupMetrics        = &backupCollector{now: time.Now}
	registerBackupMetric sync.Once
)

// registerBackupMetrics makes the collector read from r, and returns a
// function that lets go of r again unless another reader replaced it.
func registerBackupMetrics(r client.Reader) (release func()) {
	p := &r
	backupMetrics.reader.Store(p)
	registerBackupMetric.Do(func() { metrics.Registry.MustRegister(backupMetrics) })
	return func() { backupMetrics.reader.CompareAndSwap(p, nil) }
}

func (c *backupCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{backupLastAgeDesc, backupVerAgeDesc, backupSizeDesc, backupDurationDesc, backupVerifiedDesc, backupCountDesc} {
		ch <- d
	}
}

func (c *backupCollector) Collect(ch chan<- prometheus.Metric) {
	r := c.reader.Load()
	if r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list platformv1.BackupPolicyList
	if err := (*r).List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil { // only read
		return
	}
	now := c.now()
	for _, bp := range list.Items {
		labels := []string{bp.Namespace, bp.Name, strings.TrimPrefix(bp.Namespace, platformv1.TenantNamespacePrefix)}
		st := bp.Status
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
		}
		gauge(backupCountDesc, float64(st.Backups))
		if t := st.LastSuccessfulBackupTime; t != nil {
			gauge(backupLastAgeDesc, now.Sub(t.Time).Seconds())
		}
		if t := st.LastVerifiedTime; t != nil {
			gauge(backupVerAgeDesc, now.Sub(t.Time).Seconds())
		}
		if b := st.LastBackup; b != nil {
			gauge(backupSizeDesc, float64(b.SizeBytes))
			if b.StartTime != nil && b.CompletionTime != nil {
				gauge(backupDurationDesc, b.CompletionTime.Sub(b.StartTime.Time).Seconds())
			}
		}
		if v := st.LastVerification; v != nil {
			passed := 0.0
			if v.Succeeded {
				passed = 1
			}
			gauge(backupVerifiedDesc, passed)
		}
	}
}
