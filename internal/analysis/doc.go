// Package analysis takes the measurements of an lmsdeploy's web and
// metrics checks: an HTTP request judged by its status and JSON body, and
// Prometheus text scraped and reduced to one value compared with a
// threshold. Each measurement is Successful, Failed or Inconclusive (the
// check could not tell: no answer, no such field or metric), for
// internal/rollout to count.
package analysis
