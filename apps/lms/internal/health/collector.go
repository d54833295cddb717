package health

import (
	"math"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	dbUp        = prometheus.NewDesc("lms_db_up", "Whether the district's database let a new connection in as each of the LMS's logins and answered SELECT 1 at the last sample (1) or not (0). Only districts whose pool this process has open are sampled.", []string{"tenant"}, nil)
	dbSeconds   = prometheus.NewDesc("lms_db_ping_seconds", "Round trip of SELECT 1 over a pooled connection to the district's database at the last sample (absent while it is down).", []string{"tenant"}, nil)
	saturation  = prometheus.NewDesc("lms_db_pool_saturation", "Share of the district's request pool connections in use at the last sample (0-1).", []string{"tenant"}, nil)
	jobsQueued  = prometheus.NewDesc("lms_jobs_queued", "Jobs ready to run that no worker has taken yet, at the last sample.", []string{"tenant"}, nil)
	jobsOldest  = prometheus.NewDesc("lms_jobs_oldest_age_seconds", "How long the oldest job ready to run has waited, at the last sample (0 when none waits).", []string{"tenant"}, nil)
	sampledAt   = prometheus.NewDesc("lms_health_sample_timestamp_seconds", "When the district's health was last sampled.", []string{"tenant"}, nil)
	dirAge      = prometheus.NewDesc("lms_directory_age_seconds", "Seconds since the tenant directory was last read (a listing of the Secrets or the folder).", nil, nil)
	dirReadTime = prometheus.NewDesc("lms_directory_last_read_timestamp_seconds", "When the tenant directory was last read.", nil, nil)
	storageUp   = prometheus.NewDesc("lms_storage_up", "Whether this process's file storage (folder or S3 bucket) took a small file, written and removed, at the last sample (1) or not (0). Absent when the process has no file storage.", nil, nil)
	storageTook = prometheus.NewDesc("lms_storage_check_seconds", "How long the last sample's write and removal of that file took (absent while storage is down).", nil, nil)
)

// Collector exports the monitor's latest points.
func (m *Monitor) Collector() prometheus.Collector { return collector{m} }

type collector struct{ m *Monitor }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbUp, dbSeconds, saturation, jobsQueued, jobsOldest, sampledAt, dirAge, dirReadTime, storageUp, storageTook} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		if !math.IsNaN(v) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
		}
	}
	points, st := c.m.latestPoints()
	for tenant, p := range points {
		up := 0.0
		if p.DatabaseUp {
			up = 1
		}
		gauge(dbUp, up, tenant)
		gauge(dbSeconds, p.DatabaseSeconds, tenant)
		gauge(saturation, p.PoolSaturation, tenant)
		gauge(jobsQueued, p.JobsQueued, tenant)
		gauge(jobsOldest, p.JobsOldestSeconds, tenant)
		gauge(sampledAt, float64(p.At.UnixMilli())/1000, tenant)
	}
	if st != nil {
		gauge(storageUp, st.Up)
		gauge(storageTook, st.Seconds)
	}
	if last := c.m.Registry.LastSync(); !last.IsZero() {
		gauge(dirAge, c.m.Now().Sub(last).Seconds())
		gauge(dirReadTime, float64(last.UnixMilli())/1000)
	}
}
