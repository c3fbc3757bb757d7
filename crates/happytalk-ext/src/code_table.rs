//! Open code tables: HappyTalk's statuses and types as enums that still decode a value nobody has
//! documented yet.
//!
//! None of HappyTalk's tables is promised to be closed. Each enum here has one variant per
//! documented value and an `Unknown` variant that keeps any other value as it came, so a new
//! value never fails a whole response. Do not match on `Unknown` to detect a particular new
//! value: when a later release documents it, it moves to its own variant and such a match stops
//! matching. Compare [`as_str`](crate::SystemMessageStatus::as_str) instead.

use std::fmt;

/// A value a code table does not (yet) document, kept exactly as HappyTalk sent it.
///
/// It has no public constructor: it only comes from decoding. Read it with [`as_str`](Self::as_str).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(pub(crate) String);

impl UnknownValue {
    /// The value as HappyTalk sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Defines an open code table: known variants with their wire strings, plus `Unknown`.
macro_rules! open_code_table {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// Open: a value not listed here decodes as `Unknown`, keeping the raw string (see the
        /// [`code_table`](crate::code_table) module).
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not document, kept as it came. Do not match on it for a
            /// particular value; compare `as_str()` instead.
            Unknown($crate::code_table::UnknownValue),
        }

        impl $name {
            /// Every documented value, in the order of HappyTalk's table, as it is on the wire.
            pub const KNOWN_VALUES: &'static [&'static str] = &[$($wire),+];

            /// The value as it is on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this value is one HappyTalk documents.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown($crate::code_table::UnknownValue(other.to_owned())),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $wire => Self::$variant, )+
                    _ => Self::Unknown($crate::code_table::UnknownValue(value)),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use open_code_table;
