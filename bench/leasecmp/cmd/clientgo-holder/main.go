// Command clientgo-holder holds one coordination.k8s.io/v1 Lease with client-go's
// leaderelection (resourcelock.LeaseLock) and does nothing else: it is the client-go side
// of the comparison in ../../README.md, with the ticker's timings (lease duration 15s,
// renew deadline 10s, retry period 2s). It serves nothing and idles while it holds.
//
//	clientgo-holder --kubeconfig FILE --lease NS/NAME
//
// Exit 0 after SIGTERM/SIGINT (the Lease is released), 1 when the hold is lost, 2 on bad flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	leaseRef := flag.String("lease", "", "the Lease to hold, NS/NAME")
	flag.Parse()
	ns, name, ok := strings.Cut(*leaseRef, "/")
	if *kubeconfig == "" || !ok || ns == "" || name == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: clientgo-holder --kubeconfig FILE --lease NS/NAME")
		os.Exit(2)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, "clientgo-holder:", err)
		os.Exit(2)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "clientgo-holder:", err)
		os.Exit(2)
	}
	host, _ := os.Hostname()
	id := fmt.Sprintf("%s_%d", host, os.Getpid())
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: ns, Name: name},
		Client:     client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: id},
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	lost := false
	leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   15 * time.Second,
		RenewDeadline:   10 * time.Second,
		RetryPeriod:     2 * time.Second,
		ReleaseOnCancel: true,
		Name:            name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) {
				fmt.Fprintln(os.Stderr, "clientgo-holder: holding", *leaseRef, "as", id)
				<-ctx.Done()
			},
			OnStoppedLeading: func() {
				if ctx.Err() == nil {
					lost = true
				}
			},
		},
	})
	if lost {
		fmt.Fprintln(os.Stderr, "clientgo-holder: lost", *leaseRef)
		os.Exit(1)
	}
}
