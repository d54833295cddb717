// Package rollouttest proves lmsdeploy rollouts on the local control plane:
// the scheduler and a kwok node place the pods, the local kubelet runs
// them as processes on their own loopback addresses, the local service
// proxy serves the Services, and the operator (the Tenant, School and
// lmsdeploy controllers) runs in the test. Every pod and Job runs the real
// lms binary, built for the run, against a throwaway Postgres. The suite
// is slow, so it runs with the e2e build tag (make e2e), not in make test.
package rollouttest
