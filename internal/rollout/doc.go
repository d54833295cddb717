// Package rollout is the blue-green rollout of the LMS fleet as a pure
// function: Step takes a Deployment's spec, its status, what the
// controller observed (the colours' apps/v1 Deployments, the active
// Service's endpoints, migration and check Jobs, measurements, the
// affected tenants and schools) and the time, and returns the next status
// with the actions to take. It holds no API client and reads no clock, so
// the tests drive every transition through a simulated cluster (scenario
// tests, sim_test.go), and an operator restarted at any step
// decides exactly as the old one would have from the status it left.
//
// Status is the record the controller writes first; the objects (colour
// Deployments, Services) are derived from it by Desired, so the active
// Service points only where status says, and status says a colour is
// active only once it has passed analysis (or is a recorded revision being
// rolled back to).
//
// Deploy windows live here too (Windows): the spec's windows read in every
// affected school's own IANA time zone, minus every school's hours, with
// the next opening computed rather than polled.
package rollout
