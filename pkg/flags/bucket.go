package flags

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
)

// Buckets is how finely rollouts split: a bucket is a hundredth of a percent.
const Buckets = 10000

// Bucket is the stable bucket, in [0, Buckets), of key for flag: the first
// eight bytes of SHA-256(flag NUL key), big-endian, modulo Buckets. Any
// implementation that needs to agree with Bellwork's computes it the same way.
func Bucket(flag, key string) int {
	var buf [128]byte // flag names and keys are short: hash without allocating
	in := append(append(append(buf[:0], flag...), 0), key...)
	sum := sha256.Sum256(in)
	return int(binary.BigEndian.Uint64(sum[:8]) % Buckets)
}

// bucketKey is the value a rollout hashes for c; "" when c lacks it.
func (r *Rollout) bucketKey(c Context) string {
	switch by := r.BucketBy; {
	case by == "" || by == "user":
		return c.UserID
	case by == "school":
		if c.School == "" {
			return ""
		}
		return c.Tenant + "/" + c.School
	case by == "tenant":
		return c.Tenant
	case strings.HasPrefix(by, attributePrefix):
		return c.Attributes[strings.TrimPrefix(by, attributePrefix)]
	}
	return ""
}

const attributePrefix = "attribute:"

// pick is the variant whose share of the buckets holds bucket: variants
// take consecutive ranges in the order listed.
func (r *Rollout) pick(bucket int) string {
	upper := 0
	for _, w := range r.Variants {
		upper += w.Weight * (Buckets / 100)
		if bucket < upper {
			return w.Variant
		}
	}
	// Weights add up to 100 in a valid flag; an invalid one falls to the last.
	if n := len(r.Variants); n > 0 {
		return r.Variants[n-1].Variant
	}
	return ""
}
