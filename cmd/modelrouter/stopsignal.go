package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// stopSignal is the signal (Ctrl-C's SIGINT, a supervisor's SIGTERM) that
// cancelled a command's context, kept as the context's cause so main can
// say the command was stopped, and by what, rather than that it failed.
type stopSignal struct{ sig os.Signal }

func (s stopSignal) Error() string { return s.sig.String() + " signal received" }

// signalContext is signal.NotifyContext with the signal itself as the
// cause (NotifyContext's cause names it only in words). As with
// NotifyContext, later signals are caught and ignored until stop: serve
// listens for a second one itself.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-c:
			cancel(stopSignal{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(c)
		cancel(nil)
	}
}

// stoppedBySignal is main's line and exit status for a command that a stop
// signal cut short: "train: context canceled", exit 1, read as a failure
// of its own; a shell reports a command its signal ended with 128 plus the
// signal's number (130 for SIGINT, 143 for SIGTERM), as serve's second
// signal does. ok is false for any other error.
func stoppedBySignal(ctx context.Context, err error) (line string, status int, ok bool) {
	var s stopSignal
	if !errors.Is(err, context.Canceled) || !errors.As(context.Cause(ctx), &s) {
		return "", 0, false
	}
	status = 1
	if n, isSys := s.sig.(syscall.Signal); isSys {
		status = 128 + int(n)
	}
	return fmt.Sprintf("%v: stopped by a signal (%s) before it finished", err, s.sig), status, true
}
