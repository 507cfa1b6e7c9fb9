namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// Walks every object reachable from the root once, depth first with an explicit stack, decoding each header
/// and group (which applies all their checks). A link back to a group on the current path is a hard-link cycle
/// and is refused, as is nesting deeper than <see cref="Hdf5File.MaxDepth"/>; an object reached again by another
/// path (allowed by HDF5) is not walked twice.
/// </summary>
internal static class TreeCheck
{
    /// <summary>Checks the tree under the root group, whose object header is at <paramref name="root"/>.</summary>
    public static void Run(Hdf5File file, long root)
    {
        // Names are kept as (name, parent index) and joined into a path only for a message, so deep trees do not
        // allocate a path string per object.
        var names = new List<(string Name, int Parent)> { (string.Empty, -1) };
        var onPath = new HashSet<long>();
        var done = new HashSet<long>();
        var stack = new Stack<(long Address, int Depth, int Name, bool Leaving)>();
        stack.Push((root, 0, 0, false));
        while (stack.Count > 0)
        {
            var (address, depth, name, leaving) = stack.Pop();
            if (leaving)
            {
                onPath.Remove(address);
                done.Add(address);
                continue;
            }

            if (done.Contains(address))
            {
                continue;
            }

            ObjectHeader header;
            IReadOnlyList<Hdf5Link> links;
            try
            {
                header = file.Header(address);
                links = header.Kind == ObjectKind.Group ? file.Links(header).All : [];
            }
            catch (Hdf5FormatException e)
            {
                throw new Hdf5FormatException($"at '{PathOf(names, name)}': {e.Message}", e);
            }

            if (header.Kind != ObjectKind.Group)
            {
                if (depth == 0)
                {
                    throw new Hdf5FormatException($"the root object at offset {address} is not a group");
                }

                done.Add(address);
                continue;
            }

            onPath.Add(address);
            stack.Push((address, depth, name, true));
            foreach (var link in links)
            {
                names.Add((link.Name, name));
                int child = names.Count - 1;
                if (onPath.Contains(link.Address))
                {
                    throw new Hdf5FormatException($"'{PathOf(names, child)}' links back to a group that contains it (a hard-link cycle)");
                }

                if (depth + 1 > Hdf5File.MaxDepth)
                {
                    throw new Hdf5FormatException($"'{PathOf(names, child)}' is nested more than {Hdf5File.MaxDepth} groups deep");
                }

                if (!done.Contains(link.Address))
                {
                    stack.Push((link.Address, depth + 1, child, false));
                }
            }
        }
    }

    private static string PathOf(List<(string Name, int Parent)> names, int index)
    {
        var parts = new List<string>();
        for (int i = index; i > 0; i = names[i].Parent)
        {
            parts.Add(names[i].Name);
        }

        parts.Reverse();
        string path = "/" + string.Join('/', parts);
        return path.Length <= 200 ? path : "…" + path[^200..]; // a message, not a dump of a hostile tree
    }
}
