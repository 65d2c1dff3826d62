package pools

import (
	"testing"

	executor "asyncworkbook/phase1-executor"
)

// BenchmarkChannel: one message from a task on one executor to a task on
// another (two goroutines, so two threads when GOMAXPROCS ≥ 2), against a
// buffered Go channel of the same capacity between two goroutines.
//
//	go test -run '^$' -bench Channel -count 5 ./phase4-pools/
func BenchmarkChannel(b *testing.B) {
	const capacity = 256
	b.Run("spsc", func(b *testing.B) {
		c := NewSPSC[int](capacity)
		n := b.N
		b.ResetTimer()
		sent := onExecutor(executor.Async(func(a *executor.Awaiter) int {
			for i := range n {
				if !c.Push(i) {
					c.Flush()
					executor.Await(a, c.Send(i))
				}
			}
			c.Close()
			return n
		}))
		got := onExecutor(executor.Async(func(a *executor.Awaiter) int {
			k := 0
			for {
				if _, ok := c.TryRecv(); ok {
					k++
					continue
				}
				r := executor.Await(a, c.Recv())
				if !r.OK {
					return k
				}
				k++
			}
		}))
		if <-sent != <-got {
			b.Fatal("messages lost")
		}
	})
	b.Run("go-chan", func(b *testing.B) {
		c := make(chan int, capacity)
		n := b.N
		b.ResetTimer()
		go func() {
			for i := range n {
				c <- i
			}
			close(c)
		}()
		k := 0
		for range c {
			k++
		}
		if k != n {
			b.Fatal("messages lost")
		}
	})
}
