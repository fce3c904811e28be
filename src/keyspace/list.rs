//! List value: a deque of elements (head = index 0).

/// A list value.
pub type List = std::collections::VecDeque<Vec<u8>>;
