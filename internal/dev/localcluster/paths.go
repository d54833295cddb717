package localcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// RepoRoot finds the module root by walking up from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(data), "module bellwork.dev/bellwork\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the bellwork repository")
		}
		dir = parent
	}
}

// BinDir is the folder of control plane binaries: $KUBEBUILDER_ASSETS when
// set, otherwise what hack/controlplane.sh reports for the current versions.
func BinDir(root string) (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	return script(root, "dir")
}

// CRDDirs are Bellwork's CRDs and CloudNativePG's real ones from its module.
func CRDDirs(root string) ([]string, error) {
	cnpg, err := script(root, "crds")
	if err != nil {
		return nil, err
	}
	return []string{filepath.Join(root, "config", "crd", "bases"), cnpg}, nil
}

func script(root, arg string) (string, error) {
	cmd := exec.Command(filepath.Join(root, "hack", "controlplane.sh"), arg)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", fmt.Errorf("hack/controlplane.sh %s: %s", arg, strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", fmt.Errorf("hack/controlplane.sh %s: %w", arg, err)
	}
	return strings.TrimSpace(string(out)), nil
}
