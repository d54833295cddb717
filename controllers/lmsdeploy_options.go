package controllers

import "time"

// LMSDeployOptions configure the lmsdeploy controller.
type LMSDeployOptions struct {
	// RunLocally marks the fleet's pods for make run's local kubelet and
	// its Services for the local proxy. Development only.
	RunLocally bool
	// DevMailboxDir has the LMS pods keep sent mail for /dev/mailbox and
	// write it to this folder. Development only.
	DevMailboxDir string
	// DevFilesDir has the LMS pods keep uploaded files in this folder.
	// Development only.
	DevFilesDir string
	// LocalActivePort and LocalPreviewPort serve, with RunLocally, the
	// Services of an lmsdeploy without local-port annotations on these
	// local ports (make run's sample). Development only.
	LocalActivePort, LocalPreviewPort int
	// ResyncInterval is how often an lmsdeploy is looked at when nothing
	// it watches changed.
	ResyncInterval time.Duration
	// Clock is the time the rollout decides by; time.Now when nil. Tests
	// set it to move through deploy windows.
	Clock func() time.Time
}
