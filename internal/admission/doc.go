// Package admission is the operator's admission webhook: the School
// validator that refuses at `kubectl apply` what the directory would
// refuse, the certificate the webhook serves (made by the operator and kept
// in a Secret, so every replica serves the same one), and the
// ValidatingWebhookConfiguration that sends Schools to it. main.go starts it
// beside the controllers, which do not depend on it: with the webhook down
// they still refuse such a School, from its status.
package admission
