// Package flags is the feature-flag evaluator both halves of Bellwork use:
// the operator resolves each FeatureFlag for a tenant (ForTenant, Merge) and
// publishes the result in the tenant's directory entry; the LMS evaluates the
// published flags in-process for every request (Set.Evaluate), without a
// network call.
//
// A Flag has variants (any JSON value: boolean, string, number, object), a
// default variant, typed overrides for the common case (a tenant or a school
// gets a variant) and targeting rules tried in order. A rule matches by
// tenant, school, role and user attributes, and either serves one variant or
// splits the users it matches between variants by stable percentage buckets.
//
// Precedence, most specific first: a school override, a tenant override,
// the first matching rule, the default variant.
//
// Buckets are consistent: a user's bucket is a hash of the flag's name and
// the rollout's key (the user by default), so it never changes. A rollout
// hands out buckets to its variants in the order they are listed; raising
// the weight of the first (or last) variant therefore only adds users to it,
// and a user who had it keeps it as the percentage grows.
package flags
