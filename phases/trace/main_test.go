package trace

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// Stepper test that forgets to release its emitter shows up here.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
