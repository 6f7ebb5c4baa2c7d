package authlimit

// Size reports how many addresses l remembers.
func (l *Limiter) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}
