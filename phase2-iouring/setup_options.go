//go:build linux || darwin

package iouring

import (
	"fmt"
	"os"
	"strings"
)

// ReactorOption configures NewReactorWith.
type ReactorOption func(*reactorConfig)

type reactorConfig struct {
	singleIssuer bool // ask for IORING_SETUP_SINGLE_ISSUER
	deferTaskrun bool // ask for IORING_SETUP_DEFER_TASKRUN (implies singleIssuer)
}

// WithSingleIssuer asks for IORING_SETUP_SINGLE_ISSUER (6.0): the caller
// promises that one thread — the one calling NewReactorWith — submits to
// the ring for its whole life, and the kernel may skip the locking it
// otherwise does on every submission. The kernel holds it to that: an
// io_uring_enter from any other thread fails with EEXIST, which fails the
// reactor (Err says so). So the caller must hold runtime.LockOSThread from
// before NewReactorWith until after Close, and keep the executor, its
// coroutines and Close on that goroutine — phase 4's pool executors do.
func WithSingleIssuer() ReactorOption {
	return func(c *reactorConfig) { c.singleIssuer = true }
}

// WithDeferTaskrun asks for IORING_SETUP_DEFER_TASKRUN (6.1, with
// SINGLE_ISSUER, which it implies): the kernel runs completion work only
// when the issuing thread enters with GETEVENTS, never by interrupting it,
// and posts the CQEs then, in a batch. The reactor sets TASKRUN_FLAG too
// and enters whenever the kernel says such work waits. Same thread rule as
// WithSingleIssuer.
func WithDeferTaskrun() ReactorOption {
	return func(c *reactorConfig) { c.singleIssuer, c.deferTaskrun = true, true }
}

// NewReactorWith is NewReactor with setup options. A flag the kernel
// refuses (EINVAL from an older kernel) is dropped, not fatal: SetupFlags
// says what the ring got and why something is missing. On the fallback
// ring the options mean nothing and SetupFlags says so.
func NewReactorWith(entries uint32, opts ...ReactorOption) (*Reactor, error) {
	var cfg reactorConfig
	for _, o := range opts {
		o(&cfg)
	}
	if forced := os.Getenv("WORKBOOK_RING"); forced == "fallback" {
		return newFallbackReactor(entries, "WORKBOOK_RING=fallback")
	} else if forced != "" && forced != "io_uring" {
		return nil, fmt.Errorf("iouring: WORKBOOK_RING=%q: want io_uring or fallback", forced)
	}
	return newPlatformReactor(entries, os.Getenv("WORKBOOK_RING") == "io_uring", cfg)
}

// SetupFlags names the IORING_SETUP_* flags the ring was created with
// beyond the defaults every ring gets, and any requested flag the kernel
// refused, with the reason: "COOP_TASKRUN", or "SINGLE_ISSUER
// DEFER_TASKRUN TASKRUN_FLAG", or "COOP_TASKRUN (refused:
// DEFER_TASKRUN: invalid argument)". On the fallback ring: "fallback ring
// (no setup flags)".
func (r *Reactor) SetupFlags() string { return r.setup }

// SetupFlagNames names the optional IORING_SETUP_* flags set in flags
// (COOP_TASKRUN, SINGLE_ISSUER, DEFER_TASKRUN, TASKRUN_FLAG), or "none":
// for a ring this package did not set up itself, such as phase 3's
// preemption ring.
func SetupFlagNames(flags uint32) string { return setupNames(flags, "") }

// setupNames lists the names of the optional setup flags in flags.
func setupNames(flags uint32, refused string) string {
	var names []string
	for _, f := range []struct {
		bit  uint32
		name string
	}{
		{setupCoopTaskrunBit, "COOP_TASKRUN"},
		{setupSingleIssuerBit, "SINGLE_ISSUER"},
		{setupDeferTaskrunBit, "DEFER_TASKRUN"},
		{setupTaskrunFlagBit, "TASKRUN_FLAG"},
	} {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	s := strings.Join(names, " ")
	if s == "" {
		s = "none"
	}
	if refused != "" {
		s += " (refused: " + refused + ")"
	}
	return s
}

// The IORING_SETUP_* bits setupNames knows, on every platform (the
// fallback never sets them; darwin has no io_uring ABI file).
const (
	setupCoopTaskrunBit  = 1 << 8  // IORING_SETUP_COOP_TASKRUN (5.19)
	setupTaskrunFlagBit  = 1 << 9  // IORING_SETUP_TASKRUN_FLAG (5.19)
	setupSingleIssuerBit = 1 << 12 // IORING_SETUP_SINGLE_ISSUER (6.0)
	setupDeferTaskrunBit = 1 << 13 // IORING_SETUP_DEFER_TASKRUN (6.1)
)
