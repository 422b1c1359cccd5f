//! Placeholder until the parser lands.
use super::{ParseError, Span, Tree};

pub fn parse(input: &str) -> Result<Tree<'_>, ParseError> {
    Err(ParseError::new("form not supported yet", Span::new(0, input.len())))
}

pub fn encode_value(v: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(v)
}
