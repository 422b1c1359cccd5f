//! Placeholder until the parser lands.
use super::{Dialect, Form, ParseError, Tree};

pub fn parse(input: &str, dialect: Dialect) -> Result<Tree<'_>, ParseError> {
    super::url::parse(input, Form::MysqlJdbc, dialect)
}
