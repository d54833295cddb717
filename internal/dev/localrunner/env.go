package localrunner

import (
	"context"
	"fmt"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// environment resolves the container's env like a kubelet, on top of PATH
// and HOME (and KUBECONFIG when the runner has one); vars are the
// container's own variables, for $(VAR) expansion.
func (r *Runner) environment(ctx context.Context, pod *corev1.Pod, podIP string, c corev1.Container) ([]string, map[string]string, error) {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if r.Kubeconfig != "" {
		env = append(env, "KUBECONFIG="+r.Kubeconfig)
	}
	vars := map[string]string{}
	for _, e := range c.Env {
		v := expand(e.Value, vars)
		if e.ValueFrom != nil {
			var err error
			if v, err = r.valueFrom(ctx, pod, podIP, e); err != nil {
				return nil, nil, err
			}
		}
		vars[e.Name] = v
		env = append(env, e.Name+"="+v)
	}
	return env, vars, nil
}

func (r *Runner) valueFrom(ctx context.Context, pod *corev1.Pod, podIP string, e corev1.EnvVar) (string, error) {
	ns := pod.Namespace
	switch src := e.ValueFrom; {
	case src.SecretKeyRef != nil:
		ref := src.SecretKeyRef
		s, err := r.Client.CoreV1().Secrets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return "", fmt.Errorf("env %s: Secret %s: %w", e.Name, ref.Name, err)
		}
		data, ok := s.Data[ref.Key]
		if !ok {
			return "", fmt.Errorf("env %s: Secret %s has no key %s", e.Name, ref.Name, ref.Key)
		}
		return string(data), nil
	case src.ConfigMapKeyRef != nil:
		ref := src.ConfigMapKeyRef
		cm, err := r.Client.CoreV1().ConfigMaps(ns).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return "", fmt.Errorf("env %s: ConfigMap %s: %w", e.Name, ref.Name, err)
		}
		return cm.Data[ref.Key], nil
	case src.FieldRef != nil:
		switch src.FieldRef.FieldPath {
		case "status.podIP":
			if podIP == "" {
				podIP = "127.0.0.1"
			}
			return podIP, nil
		case "metadata.name":
			return pod.Name, nil
		case "metadata.namespace":
			return pod.Namespace, nil
		}
		if key, ok := strings.CutPrefix(src.FieldRef.FieldPath, "metadata.labels['"); ok && strings.HasSuffix(key, "']") {
			return pod.Labels[strings.TrimSuffix(key, "']")], nil
		}
		return "", fmt.Errorf("env %s: field %s does not run locally (status.podIP, metadata.name, metadata.namespace and metadata.labels['key'] do)", e.Name, src.FieldRef.FieldPath)
	}
	return "", fmt.Errorf("env %s: only values, Secret and ConfigMap references and pod fields run locally", e.Name)
}

// expand replaces $(VAR) with a defined variable's value as Kubernetes
// does: $$ is a literal $, and an undefined $(VAR) is left as it is.
func expand(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteByte(s[i])
				continue
			}
			name := s[i+2 : i+2+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
