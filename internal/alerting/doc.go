// Package alerting owns what an AlertRule means: the per-instance state
// machine (Inactive → Pending → Firing → Resolved, with for and
// keepFiringFor), muting (silences, inhibition, schools closed), annotation
// templating and notification grouping. It is pure: the caller passes the
// clock, the evaluation's samples and what muting needs, and gets back the
// next status and the messages to send. Nothing here reads the API or the
// network; evaluation sources live in the subpackages.
package alerting
