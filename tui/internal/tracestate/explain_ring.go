package tracestate

import (
	"fmt"
	"strconv"
	"strings"

	"asyncworkbook/phases/trace"
)

// explainSQE: "T2 prepared a READ on fd 7 (user_data 0x100000003) in SQ
// slot 2: it waits in the SQ until the turn's io_uring_enter."
func (s *State) explainSQE(e *trace.Event, who string) string {
	if e.UserData == udLinkTimeout {
		return fmt.Sprintf("%s linked a LINK_TIMEOUT to its previous SQE: if it fires first, the kernel cancels that request.", who)
	}
	slot := ""
	if q := e.SQ; q.Entries > 0 && q.Tail != q.Head {
		slot = fmt.Sprintf(" in SQ slot %d", (q.Tail-1)%q.Entries)
	}
	on := fdPhrase(e.FD)
	if e.Fixed {
		on = fmt.Sprintf(" on registered-file slot %d (IOSQE_FIXED_FILE: no descriptor lookup)", e.FD)
	}
	direct := ""
	if strings.HasPrefix(e.Note, "direct:") {
		direct = " It is a direct descriptor's: " + strings.TrimSpace(strings.TrimPrefix(e.Note, "direct:")) + "."
	}
	return fmt.Sprintf("%s prepared %s %s%s (user_data %#x)%s: it waits in the SQ until the turn's io_uring_enter.%s",
		who, article(e.Op), e.Op, on, e.UserData, slot, direct)
}

// explainRecycled: "A reader gave 1 provided buffer back: the kernel has
// 4 of 4 to fill again; readers hold 0."
func (s *State) explainRecycled(e *trace.Event) string {
	b := e.Bufs
	return fmt.Sprintf("A reader read a provided buffer out and gave %d back to the ring (its tail moved, no system call): the kernel has %d of %d to fill; readers hold %d.",
		max(e.Count, 1), b.Kernel, b.Buffers, b.Held())
}

// explainSlots: a registered-file slot filled or emptied by
// IORING_REGISTER_FILES_UPDATE.
func (s *State) explainSlots(e *trace.Event) string {
	f := e.Files
	return fmt.Sprintf("IORING_REGISTER_FILES_UPDATE (a system call, outside the ring): %s. The table has %d of %d slots in use, %d of them direct descriptors.",
		e.Note, f.Used, f.Slots, f.Direct)
}

// explainSubmit: "io_uring_enter submitted 8 SQEs in one system call."
func (s *State) explainSubmit(e *trace.Event) string {
	var what string
	switch {
	case e.Count == 0:
		what = "io_uring_enter submitted nothing"
	case e.Count == 1:
		what = "io_uring_enter submitted 1 SQE"
	default:
		what = fmt.Sprintf("io_uring_enter submitted %d SQEs in one system call", e.Count)
	}
	// More SQEs than were traced since the last enter: the rest were the
	// reactor's own, which it does not trace when it prepares them.
	if own := e.Count - s.Ring.submittedTraced; own > 0 {
		what += fmt.Sprintf(" (%d of them the reactor's own: its eventfd wakeup READ or an ASYNC_CANCEL)", own)
	}
	if e.Note == "wait" {
		if e.Count == 0 {
			return what + " and waited for a completion: the executor sleeps in the kernel."
		}
		return what + ", then waited for a completion."
	}
	return what + "; it did not wait."
}

// explainCQE: "The READ for T2 completed with 4096 bytes: T2 will be woken."
func (s *State) explainCQE(e *trace.Event, who string) string {
	c := &s.Ring.LastCQE
	switch e.UserData {
	case udEventfd:
		return "The reactor's own eventfd READ completed: a wakeup (Unpark from another goroutine, or Close draining the ring) reached the ring; it wakes no task."
	case udCancel:
		switch -e.Res {
		case 0:
			return "The reactor's ASYNC_CANCEL completed: the kernel found the request and cancelled it; that request's own CQE comes too."
		case 2: // ENOENT
			return "The reactor's ASYNC_CANCEL found nothing to cancel (-ENOENT): the request had already completed."
		case 114: // EALREADY
			return "The reactor's ASYNC_CANCEL came too late to stop the request (-EALREADY): it is running and will complete."
		}
		return fmt.Sprintf("The reactor's ASYNC_CANCEL completed (%s); it wakes no task.", resultPhrase("", e.Res))
	case udLinkTimeout:
		if e.Res == -62 { // ETIME
			return "A LINK_TIMEOUT fired (-ETIME): the kernel cancelled the request it guarded."
		}
		return fmt.Sprintf("A LINK_TIMEOUT ended (%s): the request it guarded finished first.", resultPhrase("", e.Res))
	}
	if e.Task == 0 {
		if c.Known && c.Cancelled {
			return fmt.Sprintf("The cancelled %s's CQE arrived (%s): nobody waits for it, and only now is its memory unpinned.", e.Op, resultPhrase(e.Op, e.Res))
		}
		return fmt.Sprintf("A %s completion (user_data %#x, %s) came back with no task waiting for it.", e.Op, e.UserData, resultPhrase(e.Op, e.Res))
	}
	if e.Op == "TIMEOUT" && e.Res == -62 {
		return fmt.Sprintf("The TIMEOUT for %s expired (-ETIME, the normal end of a timer): %s will be woken.", who, who)
	}
	return fmt.Sprintf("The %s for %s %s: %s will be woken.", e.Op, who, completedPhrase(e.Op, e.Res), who)
}

// completedPhrase: "completed with 4096 bytes", "failed with -EBADF",
// "completed successfully".
func completedPhrase(op string, res int32) string {
	switch {
	case res < 0:
		return "failed with " + resultPhrase(op, res)
	case res == 0 && !strings.HasPrefix(op, "READ") && !strings.HasPrefix(op, "RECV"):
		return "completed successfully"
	}
	return "completed with " + resultPhrase(op, res)
}

// resultPhrase says what a CQE's res means for op: "4096 bytes", "fd 9",
// "-ECANCELED".
func resultPhrase(op string, res int32) string {
	if res < 0 {
		if name, ok := errnoNames[-res]; ok {
			return "-" + name
		}
		return "errno " + strconv.Itoa(int(-res))
	}
	switch op {
	case "READ", "READV", "READ_FIXED", "RECV", "RECVMSG":
		if res == 0 {
			return "0 bytes (end of file)"
		}
		return fmt.Sprintf("%d byte%s", res, plural(int(res)))
	case "WRITE", "WRITEV", "WRITE_FIXED", "SEND", "SENDMSG":
		return fmt.Sprintf("%d byte%s written", res, plural(int(res)))
	case "OPENAT", "OPENAT2":
		return fmt.Sprintf("fd %d", res)
	case "ACCEPT":
		return fmt.Sprintf("a new connection, fd %d", res)
	}
	return fmt.Sprintf("result %d", res)
}

// errnoNames are Linux's numbers (the trace carries the kernel's -errno,
// whatever system the TUI runs on).
var errnoNames = map[int32]string{
	1: "EPERM", 2: "ENOENT", 4: "EINTR", 5: "EIO", 9: "EBADF", 11: "EAGAIN",
	13: "EACCES", 17: "EEXIST", 22: "EINVAL", 24: "EMFILE", 28: "ENOSPC",
	32: "EPIPE", 62: "ETIME", 104: "ECONNRESET", 110: "ETIMEDOUT",
	111: "ECONNREFUSED", 114: "EALREADY", 125: "ECANCELED",
}

// fdPhrase is " on fd 7", or nothing when the op takes no descriptor.
func fdPhrase(fd int32) string {
	switch {
	case fd == -100: // AT_FDCWD
		return " relative to the working directory"
	case fd < 0:
		return ""
	}
	return " on fd " + strconv.Itoa(int(fd))
}

func article(op string) string {
	if op != "" && (op[0] == 'A' || op[0] == 'E' || op[0] == 'I' || op[0] == 'O' || op[0] == 'U') {
		return "an"
	}
	return "a"
}

// ResText is a CQE result for a table: "512", or "-ECANCELED" for a
// Linux errno.
func ResText(res int32) string {
	if res < 0 {
		return resultPhrase("", res)
	}
	return strconv.Itoa(int(res))
}
