package authlimit

// Size reports how many addresses l remembers.
func (l *Limiter) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// WrongKeys reports how many wrong keys l remembers for the address addr.
func (l *Limiter) WrongKeys(addr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.clients[addr]
	if !ok {
		return 0
	}
	return len(e.Value.(*client).wrong)
}
