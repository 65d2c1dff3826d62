package scheduling_test

import (
	"errors"
	"testing"

	scheduling "asyncworkbook/phase3-scheduling"
)

// failingDriver is a base driver that has failed for good.
type failingDriver struct{ *fakeDriver }

var errRing = errors.New("ring broke")

func (failingDriver) Err() error { return errRing }

func TestTheDriverForwardsItsBasesFatalError(t *testing.T) {
	clk := &scheduling.FakeClock{}
	rt := scheduling.NewRuntime(scheduling.WithRuntimeClock(clk), scheduling.WithBaseDriver(failingDriver{newFakeDriver(clk)}))
	defer rt.Close()
	if err := rt.Driver().Err(); !errors.Is(err, errRing) {
		t.Fatalf("Driver.Err = %v, want the base's %v", err, errRing)
	}
	plain := scheduling.NewRuntime(scheduling.WithRuntimeClock(clk), scheduling.WithBaseDriver(newFakeDriver(clk)))
	defer plain.Close()
	if err := plain.Driver().Err(); err != nil {
		t.Fatalf("Driver.Err over a base that cannot fail = %v, want nil", err)
	}
}
