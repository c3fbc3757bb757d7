//! A flag for every optional field of an operation's request body, made at run time from the
//! generated operation table: one more field in the spec is one more flag here, with its help
//! from the spec. The verbs that use it say which fields they take otherwise (a positional
//! argument, a flag of their own).

use clap::{Arg, ArgMatches, Command, FromArgMatches};
use happytalk_ext::happytalk_api::{Field, FieldKind, Operation, operations};

/// The flags of the optional fields of `POST /v1/chat/open` that `room open` takes as they
/// are: every one but the yes/no ones (`--force`) and the numbered ones (`--param`).
#[derive(Clone, Debug, Default)]
pub struct OpenRoomFields {
    /// `(wire name, value)`, in the spec's order.
    pub values: Vec<(&'static str, String)>,
}

fn flagged(operation: &'static Operation) -> impl Iterator<Item = &'static Field> {
    operation.body.iter().filter(|field| {
        !field.required && field.indexed.is_none() && !matches!(field.kind, FieldKind::Flag { .. })
    })
}

/// `site_uid` → `--site-uid`.
pub fn flag_name(field: &str) -> String {
    field.replace('_', "-")
}

fn help(field: &Field) -> String {
    match field.kind {
        FieldKind::Integer { .. } => format!("{} [an integer]", field.summary),
        FieldKind::OneOf(values) => format!("{} [one of: {}]", field.summary, values.join(", ")),
        _ => field.summary.to_owned(),
    }
}

impl FromArgMatches for OpenRoomFields {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let values = flagged(&operations::OPEN_ROOM)
            .filter_map(|field| {
                let value = matches.get_one::<String>(field.name)?;
                Some((field.name, value.clone()))
            })
            .collect();
        Ok(Self { values })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for OpenRoomFields {
    fn augment_args(command: Command) -> Command {
        flagged(&operations::OPEN_ROOM).fold(command, |command, field| {
            command.arg(
                Arg::new(field.name)
                    .long(flag_name(field.name))
                    .value_name("VALUE")
                    .help_heading("Fields of the request (one flag each, from the spec)")
                    .help(help(field)),
            )
        })
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}
