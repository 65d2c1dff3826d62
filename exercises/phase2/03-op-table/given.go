package optable

// Everything in this file is given: a completion, a stand-in for the
// kernel that records what was submitted, and the future that uses your
// table. Your part is in table.go.

import (
	"fmt"

	executor "asyncworkbook/phase1-executor"
)

// CQE is a completion: the user_data of the request it completes and its
// result (a byte count, a descriptor, or a negated errno).
type CQE struct {
	UserData uint64
	Res      int32
}

// Kernel stands in for the ring: it records the user_data of each request
// submitted, under the name of the op. Executor goroutine only.
type Kernel struct {
	Submitted map[string]uint64 // op name → its user_data
	Order     []string          // op names in submission order
}

// NewKernel returns an empty kernel.
func NewKernel() *Kernel { return &Kernel{Submitted: map[string]uint64{}} }

// Submit records that the op named name went to the kernel with ud.
func (k *Kernel) Submit(name string, ud uint64) {
	if _, dup := k.Submitted[name]; dup {
		panic(fmt.Sprintf("op %q submitted twice", name))
	}
	k.Submitted[name] = ud
	k.Order = append(k.Order, name)
}

// Op returns the future of one I/O operation named name, the way the
// phase-2 reactor's futures use an op table: the first poll takes an
// entry (Start) and submits its user_data; each later poll asks for the
// result (Result), handing over its newest waker, and is Ready once the
// result is there.
func Op(t *Table, k *Kernel, name string) executor.Future[int32] {
	return &opFuture{t: t, k: k, name: name}
}

type opFuture struct {
	t       *Table
	k       *Kernel
	name    string
	ud      uint64
	started bool
}

func (f *opFuture) Poll(cx *executor.Context) executor.Poll[int32] {
	if !f.started {
		f.ud = f.t.Start(cx.WakerFor("op table"))
		f.started = true
		f.k.Submit(f.name, f.ud)
		return executor.Pending[int32]()
	}
	if res, done := f.t.Result(f.ud, cx.WakerFor("op table")); done {
		return executor.PollReady(res)
	}
	return executor.Pending[int32]()
}
