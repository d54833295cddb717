package tenancy

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"

	"bellwork.dev/bellwork/pkg/directory"
)

// KubeConfig loads a kubeconfig file, or the in-cluster config when path is empty.
func KubeConfig(path string) (*rest.Config, error) {
	if path == "" {
		return rest.InClusterConfig()
	}
	return clientcmd.BuildConfigFromFlags("", path)
}

// WatchSecrets follows the directory Secrets in a namespace through an
// informer (list and watch, label-selected) and keeps the registry equal to
// them until ctx ends. It returns once the first listing is in. The LMS
// only reads from the API.
func WatchSecrets(ctx context.Context, r *Registry, cfg *rest.Config, namespace string) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	selector := labels.Set{directory.LabelKey: directory.LabelValue}.AsSelector().String()
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 10*time.Minute, informers.WithNamespace(namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = selector }))
	inf := factory.Core().V1().Secrets()
	sync := func() {
		secrets, err := inf.Lister().Secrets(namespace).List(labels.Everything())
		if err != nil {
			r.Log.Error("Could not list directory Secrets", "err", err)
			return
		}
		r.replaceFromSecrets(secrets)
	}
	changed := make(chan struct{}, 1)
	notify := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	if _, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify() },
		UpdateFunc: func(old, cur any) { notify() },
		DeleteFunc: func(any) { notify() },
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.Informer().HasSynced) {
		return fmt.Errorf("directory Secrets in %s did not sync", namespace)
	}
	sync()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				sync()
			}
		}
	}()
	return nil
}

// replaceFromSecrets makes the registry hold the entries of a full listing
// of directory Secrets, skipping unreadable ones. Only Secrets whose entry
// changed since the last listing are decoded.
func (r *Registry) replaceFromSecrets(secrets []*corev1.Secret) {
	var entries []*directory.Entry
	r.decoded.listing(func(decode func([]byte) (*directory.Entry, error)) {
		for _, s := range secrets {
			e, err := decode(s.Data[directory.EntryKey])
			if err != nil {
				r.Log.Error("Ignored unreadable directory Secret", "secret", s.Namespace+"/"+s.Name, "err", err)
				continue
			}
			entries = append(entries, e)
		}
	})
	r.Replace(entries)
}
