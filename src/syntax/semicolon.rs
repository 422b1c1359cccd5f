//! Placeholder until the parser lands.
use super::{Dialect, Form, ParseError, Span, Tree};

pub fn parse(input: &str, _form: Form, _dialect: Dialect) -> Result<Tree<'_>, ParseError> {
    Err(ParseError::new("form not supported yet", Span::new(0, input.len())))
}

pub fn encode_value(_d: super::Dialect, v: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(v)
}
