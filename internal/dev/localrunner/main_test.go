package localrunner_test

import (
	"os"
	"testing"

	"bellwork.dev/bellwork/internal/dev/echoserver"
)

func TestMain(m *testing.M) {
	echoserver.ServeIfAsked()
	os.Exit(m.Run())
}
