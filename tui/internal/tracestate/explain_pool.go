package tracestate

import (
	"fmt"

	"asyncworkbook/phases/trace"
)

// explainPool says what a phase-4 event did, or reports false for other
// kinds. Executors are named by their Exec id ("executor 3"), as the
// events name them.
func explainPool(e *trace.Event) (string, bool) {
	me := fmt.Sprintf("Executor %d", e.Exec)
	peer := fmt.Sprintf("executor %d", e.Peer)
	switch e.Kind {
	case trace.ExecutorStarted:
		where := "not pinned: the kernel may move it"
		if e.CPUs != "" {
			where = "pinned to CPU " + e.CPUs
		}
		return fmt.Sprintf("%s (number %d of the pool) started on its own locked OS thread %d, %s, with its own ring, set up by that thread (%s), and phase 3's runtime on it — task queues, a timer wheel, parking until the next deadline: nothing it owns is shared.", me, e.Index, e.Thread, where, e.Note), true
	case trace.MsgSent:
		return fmt.Sprintf("%s wrote %s %d into its channel to %s (%d slot%s in use). %s cannot see it until the end-of-turn flush publishes it.", me, e.Op, e.Req, peer, e.Depth, plural(e.Depth), capital(peer)), true
	case trace.MsgFlushed:
		return fmt.Sprintf("%s published %d message%s to %s with one store of the channel's tail (%d in use): a batch costs one store, not one per message.", me, e.Count, plural(e.Count), peer, e.Depth), true
	case trace.MsgWake:
		return fmt.Sprintf("%s was waiting for messages, so %s fired its waker (an eventfd write only if it is parked). Had it been busy, no wake would be needed: it reads its channels every turn.", capital(peer), me), true
	case trace.MsgReceived:
		return fmt.Sprintf("%s took %s %d from %s's channel (%d left to take).", me, e.Op, e.Req, peer, e.Depth), true
	case trace.SubmitStarted:
		return fmt.Sprintf("A task on %s asked %s to run work (SubmitTo, request %d): %d open towards it now.", lower(me), peer, e.Req, e.Count), true
	case trace.SubmitWaiting:
		return fmt.Sprintf("A SubmitTo on %s found %d requests already open towards %s, the in-flight bound: it waits until an answer frees a slot.", lower(me), e.Count, peer), true
	case trace.SubmitAnswered:
		if e.Note != "" {
			return fmt.Sprintf("The answer to request %d came back from %s with an error: %s.", e.Req, peer, e.Note), true
		}
		return fmt.Sprintf("The answer to request %d came back from %s; its future is woken (%d still open).", e.Req, peer, e.Count), true
	case trace.StopAccepting:
		return fmt.Sprintf("%s saw Shutdown begin: work from outside is refused from now on (%d of its tasks still live).", me, e.Count), true
	case trace.Draining:
		return fmt.Sprintf("%s waits for the pool's tasks to finish before the deadline (%d of its own): it leaves only when no executor has work, since a busy one may still send it some.", me, e.Count), true
	case trace.DeadlinePassed:
		return fmt.Sprintf("The shutdown deadline passed with %d task%s still live on %s: they are cancelled.", e.Count, plural(e.Count), lower(me)), true
	case trace.ExecutorClosed:
		return fmt.Sprintf("%s closed its ring on its own thread and ended (%s, %d cancelled).", me, e.Note, e.Count), true
	case trace.PlacementPlanned:
		if e.CPUs == "impossible" {
			return fmt.Sprintf("Dry run of %s: impossible — %s.", e.Name, e.Note), true
		}
		return fmt.Sprintf("Dry run of %s: the executors would go to CPUs %s (%s).", e.Name, e.CPUs, e.Note), true
	}
	return "", false
}

func capital(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

func lower(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return string(s[0]-'A'+'a') + s[1:]
	}
	return s
}
