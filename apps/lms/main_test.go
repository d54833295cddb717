package main

import (
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
)

func TestMain(m *testing.M) { lmstest.Main(m) }
