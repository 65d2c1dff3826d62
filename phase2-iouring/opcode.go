package iouring

import "fmt"

// Op is an io_uring opcode (enum io_uring_op in include/uapi/linux/io_uring.h).
// The number is the kernel's; the comment says which kernel added it.
type Op uint8

// The opcodes this phase uses, and their neighbours for the probe's report.
const (
	OpNop           Op = 0  // IORING_OP_NOP (5.1): completes at once; measures the ring itself
	OpReadv         Op = 1  // IORING_OP_READV (5.1)
	OpWritev        Op = 2  // IORING_OP_WRITEV (5.1)
	OpFsync         Op = 3  // IORING_OP_FSYNC (5.1)
	OpReadFixed     Op = 4  // IORING_OP_READ_FIXED (5.1)
	OpWriteFixed    Op = 5  // IORING_OP_WRITE_FIXED (5.1)
	OpPollAdd       Op = 6  // IORING_OP_POLL_ADD (5.1)
	OpPollRemove    Op = 7  // IORING_OP_POLL_REMOVE (5.1)
	OpSyncFileRange Op = 8  // IORING_OP_SYNC_FILE_RANGE (5.2)
	OpSendmsg       Op = 9  // IORING_OP_SENDMSG (5.3)
	OpRecvmsg       Op = 10 // IORING_OP_RECVMSG (5.3)
	OpTimeout       Op = 11 // IORING_OP_TIMEOUT (5.4)
	OpTimeoutRemove Op = 12 // IORING_OP_TIMEOUT_REMOVE (5.5)
	OpAccept        Op = 13 // IORING_OP_ACCEPT (5.5)
	OpAsyncCancel   Op = 14 // IORING_OP_ASYNC_CANCEL (5.5)
	OpLinkTimeout   Op = 15 // IORING_OP_LINK_TIMEOUT (5.5)
	OpConnect       Op = 16 // IORING_OP_CONNECT (5.5)
	OpFallocate     Op = 17 // IORING_OP_FALLOCATE (5.6)
	OpOpenat        Op = 18 // IORING_OP_OPENAT (5.6)
	OpClose         Op = 19 // IORING_OP_CLOSE (5.6)
	OpFilesUpdate   Op = 20 // IORING_OP_FILES_UPDATE (5.6)
	OpStatx         Op = 21 // IORING_OP_STATX (5.6)
	OpRead          Op = 22 // IORING_OP_READ (5.6)
	OpWrite         Op = 23 // IORING_OP_WRITE (5.6)
	OpFadvise       Op = 24 // IORING_OP_FADVISE (5.6)
	OpMadvise       Op = 25 // IORING_OP_MADVISE (5.6)
	OpSend          Op = 26 // IORING_OP_SEND (5.6)
	OpRecv          Op = 27 // IORING_OP_RECV (5.6)
	OpOpenat2       Op = 28 // IORING_OP_OPENAT2 (5.6)
	OpEpollCtl      Op = 29 // IORING_OP_EPOLL_CTL (5.6)
	OpSplice        Op = 30 // IORING_OP_SPLICE (5.7)
	OpShutdown      Op = 34 // IORING_OP_SHUTDOWN (5.11)
	OpMsgRing       Op = 40 // IORING_OP_MSG_RING (5.18)
)

var opNames = map[Op]string{
	OpNop: "NOP", OpReadv: "READV", OpWritev: "WRITEV", OpFsync: "FSYNC",
	OpReadFixed: "READ_FIXED", OpWriteFixed: "WRITE_FIXED", OpPollAdd: "POLL_ADD",
	OpPollRemove: "POLL_REMOVE", OpSyncFileRange: "SYNC_FILE_RANGE",
	OpSendmsg: "SENDMSG", OpRecvmsg: "RECVMSG", OpTimeout: "TIMEOUT",
	OpTimeoutRemove: "TIMEOUT_REMOVE", OpAccept: "ACCEPT",
	OpAsyncCancel: "ASYNC_CANCEL", OpLinkTimeout: "LINK_TIMEOUT",
	OpConnect: "CONNECT", OpFallocate: "FALLOCATE", OpOpenat: "OPENAT",
	OpClose: "CLOSE", OpFilesUpdate: "FILES_UPDATE", OpStatx: "STATX",
	OpRead: "READ", OpWrite: "WRITE", OpFadvise: "FADVISE", OpMadvise: "MADVISE",
	OpSend: "SEND", OpRecv: "RECV", OpOpenat2: "OPENAT2", OpEpollCtl: "EPOLL_CTL",
	OpSplice: "SPLICE", OpShutdown: "SHUTDOWN", OpMsgRing: "MSG_RING",
}

// String returns the kernel's name without the IORING_OP_ prefix.
func (o Op) String() string {
	if n, ok := opNames[o]; ok {
		return n
	}
	return fmt.Sprintf("OP_%d", uint8(o))
}

// holders are the trace names of a waker handed to the reactor, one per
// opcode, built once so preparing an op allocates nothing.
var holders [256]string

func init() {
	for i := range holders {
		holders[i] = "io_uring " + Op(i).String()
	}
}
