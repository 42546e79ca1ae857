// Command longrun-client is the long-running client-go program of the e2e suite
// (test/e2e/long-running.test.ts): it authenticates through the kubeconfig that `kube-csr-login setup`
// wrote (the exec plugin), keeps one watch open on ConfigMaps, asks SelfSubjectReview who it is every
// -interval and reports, one JSON object per line on stdout, what client-go did:
//
//	request       one SelfSubjectReview: start/end (Unix ms), ok, the credential-id the API server saw
//	              ("X509SHA256=<hex SHA-256 of the leaf DER>") or the error
//	watch-open    a watch request the API server accepted; watch-closed when its stream ended,
//	              watch-error for an error event or a refused watch request
//	plugin-run    client-go ran the exec plugin (its ExecPluginCalls metric)
//	rotation      client-go took a different certificate and closed its connections
//	              (ClientCertRotationAge, observed right before connrotation's CloseAll)
//	issued        a certificate the signer issued for -csr (seen as the admin, for NotBefore/NotAfter)
//
// It stops on SIGTERM, on end of stdin, or after -max, and then prints {"kind":"end"}.
package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/metrics"
)

const credentialIDKey = "authentication.kubernetes.io/credential-id"

var (
	outMu sync.Mutex
	out   = json.NewEncoder(os.Stdout)
)

func nowMs() float64 { return float64(time.Now().UnixMicro()) / 1000 }

func report(kind string, fields map[string]any) {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["kind"] = kind
	if _, ok := fields["t"]; !ok {
		fields["t"] = nowMs()
	}
	outMu.Lock()
	defer outMu.Unlock()
	_ = out.Encode(fields)
}

type pluginCalls struct{}

func (pluginCalls) Increment(exitCode int, status string) {
	report("plugin-run", map[string]any{"exitCode": exitCode, "status": status})
}

type rotationAge struct{}

func (rotationAge) Observe(age time.Duration) {
	report("rotation", map[string]any{"ageSeconds": age.Seconds()})
}

type retries struct{}

func (retries) IncrementRetry(_ context.Context, code, method, _ string) {
	report("retry", map[string]any{"code": code, "method": method})
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "the user's kubeconfig (written by setup)")
	kubeContext := flag.String("context", "", "context in it (default: current)")
	adminKubeconfig := flag.String("admin-kubeconfig", "", "admin kubeconfig, to see the issued certificates")
	csrName := flag.String("csr", "", "name of the user's CSR")
	namespace := flag.String("namespace", "default", "namespace whose ConfigMaps are watched")
	interval := flag.Duration("interval", 200*time.Millisecond, "time between SelfSubjectReviews")
	maxRun := flag.Duration("max", 10*time.Minute, "stop after this long in any case")
	flag.Parse()

	metrics.Register(metrics.RegisterOpts{ExecPluginCalls: pluginCalls{}, ClientCertRotationAge: rotationAge{}, RequestRetry: retries{}})

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *maxRun)
	defer cancel()
	go func() { // the test closes stdin to stop us
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: *kubeconfig}
	config, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: *kubeContext}).ClientConfig()
	if err != nil {
		fmt.Fprintf(os.Stderr, "longrun-client: %v\n", err)
		os.Exit(2)
	}
	// client-go's default 5 requests/s would throttle a request every 200 ms plus the watch.
	config.QPS, config.Burst = 100, 200
	client := kubernetes.NewForConfigOrDie(config)

	var wg sync.WaitGroup
	if *adminKubeconfig != "" {
		adminConfig, err := clientcmd.BuildConfigFromFlags("", *adminKubeconfig)
		if err != nil {
			fmt.Fprintf(os.Stderr, "longrun-client: %v\n", err)
			os.Exit(2)
		}
		watchIssued(ctx, kubernetes.NewForConfigOrDie(adminConfig), *csrName)
	}
	wg.Add(1)
	go func() { defer wg.Done(); watchConfigMaps(ctx, client, *namespace) }()

	ticker := time.NewTicker(*interval)
	defer ticker.Stop()
	for ctx.Err() == nil {
		review(ctx, client)
		select {
		case <-ctx.Done():
		case <-ticker.C:
		}
	}
	wg.Wait()
	report("end", nil)
}

func review(ctx context.Context, client kubernetes.Interface) {
	// Generous: on a loaded machine a request may wait seconds for the plugin (client-go runs it inside
	// the request); slowness is not what this client measures.
	reqCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	start := nowMs()
	result, err := client.AuthenticationV1().SelfSubjectReviews().Create(reqCtx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	fields := map[string]any{"start": start, "end": nowMs()}
	if err != nil {
		if ctx.Err() != nil {
			return // stopping: not a failure of the client
		}
		fields["ok"] = false
		fields["error"] = err.Error()
	} else {
		fields["ok"] = true
		fields["user"] = result.Status.UserInfo.Username
		if ids := result.Status.UserInfo.Extra[credentialIDKey]; len(ids) > 0 {
			fields["credentialId"] = ids[0]
		}
	}
	report("request", fields)
}

// watchConfigMaps keeps one watch open, resuming from the last resourceVersion (bookmarks included)
// whenever the stream ends, as a reflector does.
func watchConfigMaps(ctx context.Context, client kubernetes.Interface, namespace string) {
	resourceVersion := ""
	for ctx.Err() == nil {
		start := nowMs()
		w, err := client.CoreV1().ConfigMaps(namespace).Watch(ctx, metav1.ListOptions{ResourceVersion: resourceVersion, AllowWatchBookmarks: true})
		if err != nil {
			if ctx.Err() == nil {
				report("watch-error", map[string]any{"start": start, "error": err.Error()})
				sleep(ctx, 200*time.Millisecond)
			}
			continue
		}
		report("watch-open", map[string]any{"start": start, "resourceVersion": resourceVersion})
		events, failure := 0, ""
		for event := range w.ResultChan() {
			if event.Type == watch.Error {
				failure = fmt.Sprintf("%v", event.Object)
				resourceVersion = "" // e.g. 410 Gone: start over from the current state
				break
			}
			if object, ok := event.Object.(metav1.Object); ok {
				resourceVersion = object.GetResourceVersion()
			}
			if event.Type != watch.Bookmark {
				events++
				report("watch-event", map[string]any{"type": string(event.Type)})
			}
		}
		w.Stop()
		switch {
		case ctx.Err() != nil:
		case failure != "":
			report("watch-error", map[string]any{"error": failure})
		default:
			report("watch-closed", map[string]any{"events": events})
		}
	}
}

// watchIssued reports each certificate issued for the CSR, through an informer (relists after a
// dropped watch, e.g. while the API server restarts).
func watchIssued(ctx context.Context, client kubernetes.Interface, name string) {
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
	}))
	seen := map[string]bool{}
	var mu sync.Mutex
	onCSR := func(object any) {
		csr, ok := object.(*certificatesv1.CertificateSigningRequest)
		if !ok || len(csr.Status.Certificate) == 0 {
			return
		}
		block, _ := pem.Decode(csr.Status.Certificate)
		if block == nil {
			return
		}
		leaf, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return
		}
		sum := sha256.Sum256(leaf.Raw)
		id := "X509SHA256=" + hex.EncodeToString(sum[:])
		mu.Lock()
		defer mu.Unlock()
		if seen[id] {
			return
		}
		seen[id] = true
		report("issued", map[string]any{
			"credentialId": id,
			"notBefore":    float64(leaf.NotBefore.UnixMilli()),
			"notAfter":     float64(leaf.NotAfter.UnixMilli()),
		})
	}
	informer := factory.Certificates().V1().CertificateSigningRequests().Informer()
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    onCSR,
		UpdateFunc: func(_, object any) { onCSR(object) },
	})
	factory.Start(ctx.Done())
	cache.WaitForCacheSync(ctx.Done(), informer.HasSynced)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
